// The visual `where` builder: rows of field · operator · value, nested AND / OR / NOR groups. The composer loads it
// with import(), with the where's JSON text to edit until it arrives.

import { useMemo } from 'preact/hooks';
import { formatValue, isGroup, OPERATORS, parseValue, treeToWhere, whereToTree, type Condition, type Group, type Operator, type WhereNode } from '../../src/composer/where-builder.js';

const OPERATOR_LABELS: Partial<Record<Operator, string>> = {
  equals: '= (equals / contains)',
  $eq: '$eq',
  $ne: '≠ $ne',
  $lt: '< $lt',
  $lte: '≤ $lte',
  $gt: '> $gt',
  $gte: '≥ $gte',
  $in: 'in $in',
  $nin: 'not in $nin',
  $all: 'all $all',
  $containedBy: '$containedBy',
  $exists: 'exists $exists',
  $regex: 'matches $regex',
};

function ConditionRow({ condition, onChange, onRemove }: { condition: Condition; onChange: (c: Condition) => void; onRemove: () => void }) {
  return (
    <div class="where-row" data-testid="where-condition">
      <input
        class="where-field"
        data-testid="where-field"
        placeholder="field (a.b for nested)"
        spellcheck={false}
        value={condition.field}
        onInput={(e) => onChange({ ...condition, field: e.currentTarget.value })}
      />
      <select
        data-testid="where-operator"
        value={condition.operator}
        onChange={(e) => {
          const operator = e.currentTarget.value as Operator;
          const value = operator === '$exists' ? true : parseValue(formatValue(condition.value, condition.operator), operator);
          onChange({ field: condition.field, operator, value });
        }}
      >
        {OPERATORS.map((op) => (
          <option key={op} value={op}>
            {OPERATOR_LABELS[op] ?? op}
          </option>
        ))}
      </select>
      {condition.operator === '$exists' ? (
        <select data-testid="where-value" value={String(condition.value)} onChange={(e) => onChange({ ...condition, value: e.currentTarget.value === 'true' })}>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      ) : (
        <input
          class="where-value"
          data-testid="where-value"
          spellcheck={false}
          placeholder={condition.operator.startsWith('$in') || condition.operator === '$nin' || condition.operator === '$all' ? 'a, b, 3' : 'value (JSON or text)'}
          value={formatValue(condition.value, condition.operator)}
          onInput={(e) => onChange({ ...condition, value: parseValue(e.currentTarget.value, condition.operator) })}
        />
      )}
      {condition.operator === '$regex' ? (
        <input
          class="where-options"
          data-testid="where-regex-options"
          placeholder="flags"
          value={condition.options ?? ''}
          onInput={(e) => onChange({ ...condition, options: e.currentTarget.value || undefined })}
        />
      ) : null}
      <button type="button" class="icon-button" title="Remove this condition" data-testid="where-remove" onClick={onRemove}>
        ✕
      </button>
    </div>
  );
}

function GroupView({ group, onChange, onRemove, root }: { group: Group; onChange: (g: Group) => void; onRemove?: () => void; root?: boolean }) {
  const setChild = (index: number, node: WhereNode | null) => {
    const children = [...group.children];
    if (node) children[index] = node;
    else children.splice(index, 1);
    onChange({ ...group, children });
  };
  return (
    <div class={`where-group ${root ? 'root' : ''}`} data-testid="where-group">
      <div class="where-group-header">
        {root ? (
          <span class="muted">all of (AND)</span>
        ) : (
          <select data-testid="where-group-type" value={group.type} onChange={(e) => onChange({ ...group, type: e.currentTarget.value as Group['type'], implicit: undefined })}>
            <option value="and">all of ($and)</option>
            <option value="or">any of ($or)</option>
            <option value="nor">none of ($nor)</option>
          </select>
        )}
        {onRemove ? (
          <button type="button" class="icon-button" title="Remove this group" onClick={onRemove}>
            ✕
          </button>
        ) : null}
      </div>
      {group.children.map((child, i) =>
        isGroup(child) ? (
          <GroupView key={i} group={child} onChange={(g) => setChild(i, g)} onRemove={() => setChild(i, null)} />
        ) : (
          <ConditionRow key={i} condition={child} onChange={(c) => setChild(i, c)} onRemove={() => setChild(i, null)} />
        ),
      )}
      <div class="where-add">
        <button type="button" data-testid="where-add-condition" onClick={() => onChange({ ...group, children: [...group.children, { field: '', operator: 'equals', value: '' }] })}>
          + condition
        </button>
        <button
          type="button"
          data-testid="where-add-group"
          onClick={() => onChange({ ...group, children: [...group.children, { type: 'or', children: [{ field: '', operator: 'equals', value: '' }] }] })}
        >
          + group
        </button>
      </div>
    </div>
  );
}

/** The draft's where (JSON text) in the builder, or why the builder cannot show it; edits come back as JSON text. */
export function WhereBuilder({ where, onChange }: { where: string; onChange: (where: string) => void }) {
  const tree = useMemo(() => {
    try {
      return whereToTree(where.trim() ? JSON.parse(where) : {});
    } catch (e) {
      return { ok: false as const, error: `not valid JSON: ${(e as Error).message}` };
    }
  }, [where]);
  if (!tree.ok) {
    return (
      <div class="error-text" data-testid="builder-unavailable">
        The builder cannot show this where ({tree.error}); edit it as JSON.
      </div>
    );
  }
  return <GroupView group={tree.tree} onChange={(t) => onChange(JSON.stringify(treeToWhere(t), null, 2))} root />;
}
