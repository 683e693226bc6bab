// What `lintSubscription` reads (a query, its token situation, what is known of the class's fields) and what it finds.

/** Every finding the linter can report; each one was checked against Parse Server 9.10 (test/lint-against-parse.test.ts). */
export type LintId =
  | 'where-not-object'
  | 'logical-not-array'
  | 'invalid-regex'
  | 'unsupported-operator'
  | 'operator-ignored'
  | 'related-to'
  | 'max-distance-unit'
  | 'null-equality'
  | 'array-equality'
  | 'object-equality'
  | 'pointer-without-type'
  | 'date-without-type'
  | 'timestamp-as-date'
  | 'list-operand-not-array'
  | 'exists-not-boolean'
  | 'comparison-matches-missing'
  | 'invalid-field-name'
  | 'where-unknown-field'
  | 'list-refused'
  | 'keys-unknown-field'
  | 'watch-nested-field'
  | 'watch-unknown-field'
  | 'watch-never-changes'
  | 'watch-not-in-keys'
  | 'class-unknown'
  | 'null-session-token'
  | 'null-connection-token'
  | 'empty-session-token'
  | 'token-differs'
  | 'session-class-without-token';

/**
 * `refused`: the server answers the subscribe with an error frame; `never`: it subscribes but no event (or no
 * create/update event, for `watch`) can ever arrive; `warning`: events arrive, but not the ones the query suggests.
 */
export type LintSeverity = 'refused' | 'never' | 'warning';

export interface LintFinding {
  id: LintId;
  severity: LintSeverity;
  /** Why, in plain language, with the concrete value. */
  message: string;
  /** What to write instead. */
  fix: string;
  /** Where in the subscription: `where.title.$text`, `watch[1]`, `sessionToken`. */
  path?: string;
}

/** A Parse schema type (`/schemas/<class>`) or, from recorded objects, the type their values show. */
export type FieldType =
  | 'String' | 'Number' | 'Boolean' | 'Date' | 'Object' | 'Array' | 'Pointer' | 'Relation' | 'File' | 'GeoPoint'
  | 'Polygon' | 'Bytes' | 'ACL';

/**
 * What is known of the class's fields: its schema (authoritative: read with the master key), the fields seen in recorded
 * objects (a hint: a field no recorded object had may still exist), or that the server says the class does not exist.
 */
export type KnownFields =
  | { source: 'schema'; types: Readonly<Record<string, FieldType | undefined>> }
  | { source: 'records'; types: Readonly<Record<string, FieldType | undefined>>; objects: number }
  | { source: 'no-class' };

export interface LintInput {
  query: { className: string; where?: unknown; keys?: unknown; watch?: unknown };
  /** The subscription's own token: a string, `null` when the frame carries `"sessionToken": null`, undefined when absent. */
  sessionToken?: string | null;
  /** The connection's token (its `connect` frame), with the same three cases. */
  connectionToken?: string | null;
  fields?: KnownFields;
}
