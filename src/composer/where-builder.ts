// A LiveQuery `where` as a tree of conditions and groups for the visual builder, with an exact round trip to JSON.

import { exceedsDepth } from '../json-limits.js';
import { isPlainObject } from '../livequery/protocol.js';
import { at, FIELD_OPERATORS, GROUP_KEYS, has, isOperatorObject, join, MODIFIERS, objectKeyProblem, operatorKeyProblem, type FieldOperator, type GroupType } from './where-check.js';
import { WHERE_TOO_DEEP } from './where-shape.js';

/** `equals` is a plain `{field: value}` (also "array contains" for array fields). */
export type Operator = 'equals' | FieldOperator;
export const OPERATORS: readonly Operator[] = ['equals', ...FIELD_OPERATORS];
export const ARRAY_OPERATORS: ReadonlySet<Operator> = new Set<Operator>(['$in', '$nin', '$all', '$containedBy']);

export interface Condition {
  field: string;
  operator: Operator;
  value: unknown;
  /** `$options` beside a `$regex` (flags such as `i`); absent when the JSON has none. */
  options?: string;
  /** `$maxDistance` (radians) beside a `$nearSphere`; absent when the JSON has none. */
  maxDistance?: number;
}

export interface Group {
  type: GroupType;
  children: WhereNode[];
  /**
   * An AND written as several keys of one object (`{"$or": [{"a": 1, "b": 2}]}`) rather than as `$and`.
   * Only meaningful inside a group's children; the root AND is always implicit.
   */
  implicit?: boolean;
}

export type WhereNode = Condition | Group;
export type TreeResult = { ok: true; tree: Group } | { ok: false; error: string };

export const isGroup = (node: WhereNode): node is Group => 'children' in node;

/** Sets a key even when it is `__proto__`, so untrusted JSON cannot change an object's prototype. */
function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

class Unrepresentable extends Error {}

/** Reads a `where` into a tree; fails with the exact reason when the builder cannot represent it. */
export function whereToTree(where: unknown): TreeResult {
  if (!isPlainObject(where)) return { ok: false, error: 'where must be a JSON object' };
  if (exceedsDepth(where)) return { ok: false, error: WHERE_TOO_DEEP };
  try {
    return { ok: true, tree: { type: 'and', children: objectToNodes(where, '') } };
  } catch (error) {
    if (error instanceof Unrepresentable) return { ok: false, error: error.message };
    throw error;
  }
}

function objectToNodes(object: Record<string, unknown>, prefix: string): WhereNode[] {
  const nodes: WhereNode[] = [];
  for (const [key, value] of Object.entries(object)) {
    const path = join(prefix, key);
    const groupType = has(GROUP_KEYS, key) ? GROUP_KEYS[key] : undefined;
    if (groupType) {
      if (!Array.isArray(value) || !value.every(isPlainObject)) {
        throw new Unrepresentable(`${path} needs an array of objects`);
      }
      nodes.push({ type: groupType, children: value.map((element, i) => elementToNode(element, `${path}[${i}]`)) });
    } else if (key.startsWith('$')) {
      throw new Unrepresentable(at(prefix, objectKeyProblem(key)));
    } else {
      nodes.push(...fieldToConditions(key, value, path));
    }
  }
  return nodes;
}

/** One object of a group's array: a lone condition or group stays itself, several keys become an implicit AND. */
function elementToNode(element: Record<string, unknown>, path: string): WhereNode {
  const nodes = objectToNodes(element, path);
  if (nodes.length === 1) return nodes[0]!;
  return { type: 'and', implicit: true, children: nodes };
}

function fieldToConditions(field: string, value: unknown, path: string): Condition[] {
  if (!isOperatorObject(value)) return [{ field, operator: 'equals', value }];
  const keys = Object.keys(value);
  if (keys.length === 0) throw new Unrepresentable(`${path}: empty condition {}`);
  const conditions: Condition[] = [];
  for (const key of keys) {
    const problem = operatorKeyProblem(field, key);
    if (problem) throw new Unrepresentable(`${path}: ${problem}`);
    const modified = MODIFIERS[key];
    if (modified) {
      if (!has(value, modified)) throw new Unrepresentable(`${path}: ${key} needs ${modified}`);
      const type = key === '$options' ? 'string' : 'number';
      if (typeof value[key] !== type) throw new Unrepresentable(`${path}: ${key} needs a ${type}`);
      continue;
    }
    const condition: Condition = { field, operator: key as FieldOperator, value: value[key] };
    if (key === '$regex' && has(value, '$options')) condition.options = value.$options as string;
    if (key === '$nearSphere' && has(value, '$maxDistance')) condition.maxDistance = value.$maxDistance as number;
    conditions.push(condition);
  }
  return conditions;
}

/** Writes a tree as a `where`: the root AND is implicit, and conditions on one field share one object. */
export function treeToWhere(tree: Group): Record<string, unknown> {
  return tree.type === 'and' ? buildObject(tree.children) : buildObject([tree]);
}

/**
 * One JSON object holding every node (an implicit AND). A node that cannot share the object (a second `equals`
 * on a field, the same operator twice, a second `$or`) goes into `$and`, which means the same.
 */
function buildObject(nodes: readonly WhereNode[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const operatorFields = new Set<string>();
  const overflow: WhereNode[] = [];

  const place = (node: WhereNode): void => {
    if (isGroup(node)) {
      if (node.implicit) return node.children.forEach(place);
      const key = `$${node.type}`;
      if (has(out, key)) overflow.push(node);
      else setKey(out, key, node.children.map(toElement));
      return;
    }
    if (node.operator === 'equals') {
      if (has(out, node.field)) overflow.push(node);
      else setKey(out, node.field, node.value);
      return;
    }
    const entries: [string, unknown][] = [[node.operator, node.value]];
    if (node.operator === '$regex' && node.options !== undefined) entries.push(['$options', node.options]);
    if (node.operator === '$nearSphere' && node.maxDistance !== undefined) entries.push(['$maxDistance', node.maxDistance]);
    if (!has(out, node.field)) {
      setKey(out, node.field, {});
      operatorFields.add(node.field);
    } else if (!operatorFields.has(node.field)) {
      overflow.push(node);
      return;
    }
    const operators = out[node.field] as Record<string, unknown>;
    if (entries.some(([key]) => has(operators, key))) {
      overflow.push(node);
      return;
    }
    for (const [key, value] of entries) setKey(operators, key, value);
  };

  nodes.forEach(place);
  if (overflow.length) {
    const extra = overflow.map(toElement);
    const existing = out.$and;
    setKey(out, '$and', Array.isArray(existing) ? [...existing, ...extra] : extra);
  }
  return out;
}

function toElement(node: WhereNode): Record<string, unknown> {
  return isGroup(node) && node.implicit ? buildObject(node.children) : buildObject([node]);
}

type Parsed = { ok: true; value: unknown } | { ok: false };

function parseJSON(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * The value typed in a row's input: JSON when it parses (numbers, booleans, null, arrays, objects, "quoted"),
 * else the text itself. `$regex` takes the text as is; list operators always give an array, also from `a, b, 3`.
 */
export function parseValue(text: string, operator: Operator): unknown {
  if (operator === '$regex') return text;
  const parsed = parseJSON(text);
  if (!ARRAY_OPERATORS.has(operator)) return parsed.ok ? parsed.value : text;
  if (parsed.ok && Array.isArray(parsed.value)) return parsed.value;
  if (text.trim() === '') return [];
  const bracketed = parseJSON(`[${text}]`);
  if (bracketed.ok && Array.isArray(bracketed.value)) return bracketed.value;
  return text.split(',').map((item) => {
    const trimmed = item.trim();
    const one = parseJSON(trimmed);
    return one.ok ? one.value : trimmed;
  });
}

/** The text for a value's input, such that `parseValue(formatValue(v, op), op)` gives `v` back. */
export function formatValue(value: unknown, operator?: Operator): string {
  if (typeof value === 'string') {
    if (operator === '$regex') return value;
    if (operator && ARRAY_OPERATORS.has(operator)) return JSON.stringify(value);
    // A string that reads as JSON (`12`, `true`, `"x"`) must be quoted to stay a string.
    return parseJSON(value).ok ? JSON.stringify(value) : value;
  }
  return JSON.stringify(value) ?? '';
}
