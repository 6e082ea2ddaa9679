/**
 * A command's JSON reply as readable lines: `key: value`, flat objects on one line
 * (`index 0  start eb1f  node b131 127.0.0.1:5601`), lists as numbered items, node references
 * as "id address". Generic, so replies of commands added later (put, get, search, ...) read
 * well without changes here. Search matches have their own layout (format-search.ts).
 */
import { formatSearchMatches, isSearchMatches } from './format-search.js';

export function formatReply(value: unknown, indent = ''): string[] {
  if (isScalar(value) || isNodeRef(value)) return [indent + inline(value)];
  if (isSearchMatches(value)) return formatSearchMatches(value, indent);
  if (Array.isArray(value)) return isInline(value) ? [indent + inline(value)] : formatList(value, indent);
  const out: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    if (Array.isArray(v) && v.length === 0) out.push(`${indent}${k}: (none)`);
    else if (isInline(v)) out.push(`${indent}${k}: ${inline(v)}`);
    else out.push(`${indent}${k}:`, ...formatReply(v, indent + '  '));
  }
  return out;
}

function formatList(list: readonly unknown[], indent: string): string[] {
  if (list.length === 0) return [`${indent}(none)`];
  const w = String(list.length - 1).length;
  const out: string[] = [];
  list.forEach((item, i) => {
    const n = `${String(i).padStart(w)}.`;
    if (isInline(item)) out.push(`${indent}${n} ${inline(item)}`);
    else out.push(`${indent}${n}`, ...formatReply(item, indent + ' '.repeat(w + 2)));
  });
  return out;
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}

function isNodeRef(v: unknown): v is { id: string; address: string } {
  if (isScalar(v) || Array.isArray(v)) return false;
  const keys = Object.keys(v as object);
  return keys.length === 2 && keys.includes('id') && keys.includes('address');
}

/** Fits on one line: scalars, node refs, lists of scalars, objects of those. */
function isInline(v: unknown, depth = 0): boolean {
  if (isScalar(v) || isNodeRef(v)) return true;
  if (depth > 0) return false;
  if (Array.isArray(v)) return v.every(isScalar);
  return Object.values(v as object).every(
    (x) => isScalar(x) || isNodeRef(x) || (Array.isArray(x) && x.every(isScalar)),
  );
}

function inline(v: unknown): string {
  if (isScalar(v)) return scalar(v);
  if (isNodeRef(v)) return `${v.id} ${v.address}`;
  if (Array.isArray(v)) return v.map(scalar).join(', ') || '(none)';
  return Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${k} ${inline(x)}`)
    .join('  ');
}

function scalar(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null) return 'none';
  return String(v);
}

/** Splits a command line into words; double quotes group words, backslash escapes a quote. */
export function splitWords(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
  return out;
}
