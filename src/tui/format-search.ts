/**
 * Search matches (the `search` command's reply) as readable lines: one line per file with its
 * name, human-readable size and a short sha256, then one line per source with its address,
 * online state and kind. Plain ASCII, so `p2pterm ctl search` prints it as well.
 */
import { formatBytes } from './format.js';

/** Hex digits of the sha256 shown: enough to tell files apart at a glance. */
const SHA_DIGITS = 12;

interface Match {
  readonly name: string;
  readonly rfc: number | null;
  readonly title: string;
  readonly size: number | null;
  readonly sha256: string | null;
  readonly sources: readonly { host: string; port: number; online: boolean; kind: string }[];
}

/** Whether `v` is a non-empty list of search matches. */
export function isSearchMatches(v: unknown): v is readonly Match[] {
  return Array.isArray(v) && v.length > 0 && v.every(isMatch);
}

export function formatSearchMatches(matches: readonly Match[], indent = ''): string[] {
  const out: string[] = [];
  for (const m of matches) {
    const online = m.sources.filter((s) => s.online).length;
    out.push(indent + headline(m, online));
    const addrs = m.sources.map((s) => `${s.host}:${s.port}`);
    const w = Math.max(0, ...addrs.map((a) => a.length));
    for (const [i, s] of m.sources.entries())
      out.push(`${indent}  ${addrs[i]!.padEnd(w)}  ${(s.online ? 'online' : 'offline').padEnd(7)}  ${s.kind}`);
  }
  return out;
}

function headline(m: Match, online: number): string {
  const parts = [m.name];
  if (m.rfc !== null) parts.push(`RFC ${m.rfc}${m.title && m.title !== m.name ? ` "${m.title}"` : ''}`);
  parts.push(m.size === null ? 'size unknown' : formatBytes(m.size));
  if (m.sha256) parts.push(`sha256 ${m.sha256.slice(0, SHA_DIGITS)}`);
  const n = m.sources.length;
  parts.push(`${n} source${n === 1 ? '' : 's'}, ${online} online`);
  return parts.join('  ');
}

function isMatch(v: unknown): v is Match {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const m = v as Record<string, unknown>;
  return (
    typeof m.name === 'string' &&
    'sha256' in m &&
    'size' in m &&
    'rfc' in m &&
    Array.isArray(m.sources) &&
    m.sources.every(
      (s) => s !== null && typeof s === 'object' && typeof s.host === 'string' && typeof s.online === 'boolean',
    )
  );
}
