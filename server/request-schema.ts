// Validates client→server LiveQuery frames against Parse Server's request schemas, reporting the first failure with tv4's wording.
//
// Parse Server runs tv4 over each request: first a `general` schema (op must be one of four), then the op's own
// schema. Clients see tv4's message for the first failure, so the order of checks matters and is kept here:
// type, enum, number validity, array length / uniqueness / items, then required keys, then each property of the
// data in the data's own key order (so an unknown key reported before a badly typed one, or after it).

type Bag = Record<string, unknown>;

interface Schema {
  type?: 'object' | 'string' | 'number' | 'array';
  enum?: readonly string[];
  required?: readonly string[];
  properties?: Readonly<Record<string, Schema>>;
  additionalProperties?: false;
  items?: Schema;
  minItems?: number;
  uniqueItems?: true;
}

const ANY: Schema = {};
const STRING: Schema = { type: 'string' };
const STRING_SET: Schema = { type: 'array', items: STRING, minItems: 1, uniqueItems: true };

const GENERAL: Schema = {
  type: 'object',
  properties: { op: { type: 'string', enum: ['connect', 'subscribe', 'unsubscribe', 'update'] } },
  required: ['op'],
};

const CONNECT: Schema = {
  type: 'object',
  properties: {
    op: ANY,
    applicationId: STRING,
    javascriptKey: STRING,
    masterKey: STRING,
    clientKey: STRING,
    windowsKey: STRING,
    restAPIKey: STRING,
    sessionToken: STRING,
    installationId: STRING,
  },
  required: ['op', 'applicationId'],
  additionalProperties: false,
};

const SUBSCRIBE: Schema = {
  type: 'object',
  properties: {
    op: ANY,
    requestId: { type: 'number' },
    query: {
      type: 'object',
      properties: { className: STRING, where: { type: 'object' }, keys: STRING_SET, watch: STRING_SET },
      required: ['where', 'className'],
      additionalProperties: false,
    },
    sessionToken: STRING,
  },
  required: ['op', 'requestId', 'query'],
  additionalProperties: false,
};

const UNSUBSCRIBE: Schema = {
  type: 'object',
  properties: { op: ANY, requestId: { type: 'number' } },
  required: ['op', 'requestId'],
  additionalProperties: false,
};

const BY_OP: Readonly<Record<string, Schema>> = { connect: CONNECT, subscribe: SUBSCRIBE, update: SUBSCRIBE, unsubscribe: UNSUBSCRIBE };

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Deep comparison used by `uniqueItems` (undefined-valued keys count as absent). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  const x = a as Bag;
  const y = b as Bag;
  for (const key in x) if (y[key] === undefined && x[key] !== undefined) return false;
  for (const key in y) if (x[key] === undefined && y[key] !== undefined) return false;
  for (const key in x) if (!sameValue(x[key], y[key])) return false;
  return true;
}

/**
 * The schema for a data key. The schemas are plain object literals, so a key inherited from Object.prototype
 * (`constructor`, `toString`, `__proto__`…) finds a "schema" there and is accepted as known; we keep that.
 */
function propertySchema(properties: Readonly<Record<string, Schema>>, key: string): Schema | undefined {
  if (Object.prototype.hasOwnProperty.call(properties, key)) return properties[key];
  return key in Object.prototype ? ANY : undefined;
}

function check(data: unknown, schema: Schema): string | null {
  if (schema.type !== undefined && typeName(data) !== schema.type) {
    return `Invalid type: ${typeName(data)} (expected ${schema.type})`;
  }
  if (schema.enum !== undefined && !schema.enum.some((allowed) => sameValue(data, allowed))) {
    return `No enum match for: ${JSON.stringify(data)}`;
  }
  if (typeof data === 'number' && !Number.isFinite(data)) return `Value ${data} is not a valid number`;
  if (Array.isArray(data)) {
    if (schema.minItems !== undefined && data.length < schema.minItems) {
      return `Array is too short (${data.length}), minimum ${schema.minItems}`;
    }
    if (schema.uniqueItems) {
      for (let i = 0; i < data.length; i++) {
        for (let j = i + 1; j < data.length; j++) {
          if (sameValue(data[i], data[j])) return `Array items are not unique (indices ${i} and ${j})`;
        }
      }
    }
    if (schema.items) {
      for (const item of data) {
        const problem = check(item, schema.items);
        if (problem) return problem;
      }
    }
  }
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
    const bag = data as Bag;
    for (const key of schema.required ?? []) {
      if (bag[key] === undefined) return `Missing required property: ${key}`;
    }
    for (const key in bag) {
      const sub = schema.properties ? propertySchema(schema.properties, key) : undefined;
      if (sub) {
        const problem = check(bag[key], sub);
        if (problem) return problem;
      } else if (schema.additionalProperties === false) {
        return 'Additional properties not allowed';
      }
    }
  }
  return null;
}

/**
 * Returns the error text Parse Server sends (as error code 1) for an invalid request, or null when valid.
 * Binary frames and empty text frames reach Parse Server's validator as non-JSON objects: pass `{}` for them.
 */
export function validateRequest(request: unknown): string | null {
  const general = check(request, GENERAL);
  if (general) return general;
  return check(request, BY_OP[(request as Bag).op as string]);
}
