/**
 * A command's JSON reply as readable lines: `key: value`, flat objects on one line
 * (`id 3f2a  address 127.0.0.1:5501`), lists as numbered items. Generic, so replies of
 * commands added later (put, get, search, ...) read well without changes here.
 */

export function formatReply(value: unknown, indent = ''): string[] {
  if (value === null || typeof value !== 'object') return [indent + scalar(value)];
  if (Array.isArray(value)) return formatList(value, indent);
  const out: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    if (isFlat(v)) out.push(`${indent}${k}: ${inline(v)}`);
    else if (Array.isArray(v) && v.length === 0) out.push(`${indent}${k}: (none)`);
    else out.push(`${indent}${k}:`, ...formatReply(v, indent + '  '));
  }
  return out;
}

function formatList(list: readonly unknown[], indent: string): string[] {
  if (list.length === 0) return [`${indent}(none)`];
  if (list.every((x) => x === null || typeof x !== 'object')) return [indent + list.map(scalar).join(', ')];
  const out: string[] = [];
  const w = String(list.length - 1).length;
  list.forEach((item, i) => {
    const n = `${String(i).padStart(w)}.`;
    if (isFlat(item)) out.push(`${indent}${n} ${inline(item)}`);
    else out.push(`${indent}${n}`, ...formatReply(item, indent + '   '));
  });
  return out;
}

/** Scalars, and objects or lists whose members are all scalars. */
function isFlat(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return true;
  return Object.values(v as object).every((x) => x === null || typeof x !== 'object');
}

function inline(v: unknown): string {
  if (v === null || typeof v !== 'object') return scalar(v);
  if (Array.isArray(v)) return v.map(scalar).join(', ') || '(none)';
  return Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${k} ${scalar(x)}`)
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
