// The in-memory database: objects per class (in insertion order), each class's field types, and relation tables.

export type ACLEntry = { read?: boolean; write?: boolean };
export type ACLMap = Record<string, ACLEntry>;

/** One stored row. `fields` keeps insertion order and never holds null (a null write unsets, as on Postgres). */
export interface StoredObject {
  className: string;
  objectId: string;
  createdAt: string;
  updatedAt: string;
  fields: Record<string, unknown>;
  /** Undefined means "no ACL": readable and writable by anyone. */
  acl?: ACLMap;
}

/** Field types of the classes Parse Server creates itself. */
const SYSTEM_CLASSES: Record<string, Record<string, string>> = {
  _User: { username: 'String', password: 'String', email: 'String', emailVerified: 'Boolean', authData: 'Object' },
  _Session: {
    user: 'Pointer<_User>',
    sessionToken: 'String',
    expiresAt: 'Date',
    createdWith: 'Object',
    installationId: 'String',
    restricted: 'Boolean',
  },
  _Role: { name: 'String', users: 'Relation<_User>', roles: 'Relation<_Role>' },
  _Installation: {
    installationId: 'String',
    deviceToken: 'String',
    channels: 'Array',
    deviceType: 'String',
    pushType: 'String',
    GCMSenderId: 'String',
    timeZone: 'String',
    localeIdentifier: 'String',
    badge: 'Number',
    appVersion: 'String',
    appName: 'String',
    appIdentifier: 'String',
    parseVersion: 'String',
  },
};

export class Store {
  private readonly objects = new Map<string, Map<string, StoredObject>>();
  private readonly schemas = new Map<string, Map<string, string>>();
  private readonly relations = new Map<string, Set<string>>();

  constructor(classNames: readonly string[]) {
    for (const [name, fields] of Object.entries(SYSTEM_CLASSES)) {
      this.createClass(name);
      for (const [field, type] of Object.entries(fields)) this.setFieldType(name, field, type);
    }
    for (const name of classNames) this.createClass(name);
  }

  hasClass(className: string): boolean {
    return this.schemas.has(className);
  }

  classNames(): string[] {
    return [...this.schemas.keys()];
  }

  createClass(className: string): void {
    if (this.schemas.has(className)) return;
    this.schemas.set(className, new Map());
    this.objects.set(className, new Map());
  }

  fieldType(className: string, field: string): string | undefined {
    return this.schemas.get(className)?.get(field);
  }

  /** Every typed field of a class, in the order the fields were first written. */
  fieldTypes(className: string): [string, string][] {
    return [...(this.schemas.get(className) ?? [])];
  }

  setFieldType(className: string, field: string, type: string): void {
    this.createClass(className);
    this.schemas.get(className)?.set(field, type);
  }

  get(className: string, objectId: string): StoredObject | undefined {
    return this.objects.get(className)?.get(objectId);
  }

  /** All objects of a class, oldest first. */
  list(className: string): StoredObject[] {
    return [...(this.objects.get(className)?.values() ?? [])];
  }

  /** Inserts or replaces (keeping the row's position) an object. */
  put(object: StoredObject): void {
    this.createClass(object.className);
    this.objects.get(object.className)?.set(object.objectId, object);
  }

  remove(className: string, objectId: string): void {
    this.objects.get(className)?.delete(objectId);
    for (const key of this.relations.keys()) {
      if (key.startsWith(`${className}\u0000${objectId}\u0000`)) this.relations.delete(key);
    }
  }

  /** The objectIds a relation field of one object points to (a live set: mutate it to add or remove). */
  relation(className: string, objectId: string, field: string): Set<string> {
    const key = `${className}\u0000${objectId}\u0000${field}`;
    let set = this.relations.get(key);
    if (!set) {
      set = new Set();
      this.relations.set(key, set);
    }
    return set;
  }
}
