// A collapsible JSON tree, rendered as text only (values from the network never become markup).

import { useState } from 'preact/hooks';
import { exceedsDepth, MAX_JSON_DEPTH } from '../../src/json-limits.js';
import { isSecretKey } from '../../src/timeline/redact.js';
import { Secret } from './Secret.js';

const PREVIEW_KEYS = 4;

function preview(value: unknown): string {
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    const shown = keys.slice(0, PREVIEW_KEYS).join(', ');
    return `{${shown}${keys.length > PREVIEW_KEYS ? ', …' : ''}}`;
  }
  return JSON.stringify(value) ?? String(value);
}

function Scalar({ value }: { value: unknown }) {
  const type = value === null ? 'null' : typeof value;
  return <span class={`json-${type}`}>{typeof value === 'string' ? JSON.stringify(value) : String(value)}</span>;
}

function Node({ name, value, depth, openDepth }: { name: string | null; value: unknown; depth: number; openDepth: number }) {
  const composite = typeof value === 'object' && value !== null;
  const [open, setOpen] = useState(depth < openDepth);
  const label = name === null ? null : <span class="json-key">{name}: </span>;
  if (!composite) {
    return (
      <div class="json-row" style={{ paddingLeft: `${depth * 12 + 12}px` }}>
        {label}
        {name !== null && typeof value === 'string' && isSecretKey(name) ? <Secret value={value} label={name} /> : <Scalar value={value} />}
      </div>
    );
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as object);
  return (
    <>
      <div class="json-row json-toggle" style={{ paddingLeft: `${depth * 12}px` }} onClick={() => setOpen(!open)} role="treeitem" aria-expanded={open}>
        <span class="json-arrow">{open ? '▾' : '▸'}</span>
        {label}
        <span class="muted">{preview(value)}</span>
      </div>
      {open ? entries.map(([key, child]) => <Node key={key} name={key} value={child} depth={depth + 1} openDepth={openDepth} />) : null}
    </>
  );
}

export function JsonTree({ value, openDepth = 2 }: { value: unknown; openDepth?: number }) {
  // Each level is a component: a value from a page or server nested thousands of levels deep is not drawn.
  if (exceedsDepth(value)) {
    return (
      <div class="muted pad" data-testid="json-too-deep">
        Too deep to display as a tree (nested more than {MAX_JSON_DEPTH} levels): the Raw tab shows its text.
      </div>
    );
  }
  return (
    <div class="json-tree" role="tree" data-testid="json-tree">
      <Node name={null} value={value} depth={0} openDepth={openDepth} />
    </div>
  );
}
