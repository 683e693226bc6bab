// A shared LiveQuery subscription: one per (className, query hash), fanned out to every (clientId, requestId) that asked for it.
//
// Parse Server groups subscriptions by a hash of className + where, so two requests with equivalent queries share
// one matcher and their events go out together (this decides event order across a client's subscriptions). The hash
// sorts object keys and array items and, for a `$or` query, keeps only the `$or` branches; two different wheres can
// therefore collide, in which case the later subscriber is matched with the first one's where — as in Parse Server.

type Bag = Record<string, unknown>;

/** Order-insensitive serialisation: object keys and array items are sorted, `|` in strings is escaped. */
function stableString(value: unknown): string {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'string') return `"${value.replace(/\|/g, '%|')}"`;
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(stableString).sort().join(',')}]`;
  const bag = value as Bag;
  const parts = Object.keys(bag)
    .sort()
    .map((key) => `${stableString(key)}:${stableString(bag[key])}`);
  return `{${parts.join(',')}}`;
}

/** The hash under which Parse Server files a subscription. Throws (TypeError) on a `$or` holding null, like the reference. */
export function queryHash(className: string, where: Bag): string {
  let columns: string[];
  const values: unknown[] = [];
  if (Object.prototype.hasOwnProperty.call(where, '$or')) {
    const branches: unknown[] = [].concat(...((where.$or as never[]) ?? []));
    const unique = new Set<string>();
    for (const branch of branches) {
      const keys = Object.keys(branch as object).sort();
      const sub: Bag = {};
      for (const key of keys) {
        sub[key] = (branch as Bag)[key];
        unique.add(key);
      }
      values.push(sub);
    }
    columns = [...unique].sort();
  } else {
    columns = Object.keys(where).sort();
    for (const column of columns) values.push(where[column]);
  }
  return `${className}:${columns.join(',')}|${stableString(values)}`;
}

export class Subscription {
  /** clientId → requestIds, in subscription order. */
  readonly clientRequestIds = new Map<string, number[]>();

  constructor(
    readonly className: string,
    readonly where: Bag,
    readonly hash: string,
  ) {}

  add(clientId: string, requestId: number): void {
    const ids = this.clientRequestIds.get(clientId) ?? [];
    if (!ids.includes(requestId)) ids.push(requestId);
    this.clientRequestIds.set(clientId, ids);
  }

  remove(clientId: string, requestId: number): void {
    const ids = this.clientRequestIds.get(clientId);
    if (!ids) return;
    const index = ids.indexOf(requestId);
    if (index < 0) return;
    ids.splice(index, 1);
    if (ids.length === 0) this.clientRequestIds.delete(clientId);
  }

  get isEmpty(): boolean {
    return this.clientRequestIds.size === 0;
  }
}
