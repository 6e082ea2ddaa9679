/** Small text helpers shared by the panes: sizes, rates, ages, ids, widths, tag escaping. */
import { strWidthOf } from './text-width.js';

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '?';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) (n /= 1024), i++;
  return i === 0 ? `${n} B` : `${n < 10 ? n.toFixed(1) : Math.round(n)} ${units[i]}`;
}

export function formatRate(bps: number): string {
  return `${formatBytes(Math.round(bps))}/s`;
}

/** "3s", "4m", "2h", "5d": coarse ages for "fixed N ago" and the history lists. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

export function formatEta(sec: number | null): string {
  if (sec === null || !Number.isFinite(sec)) return '--:--';
  const s = Math.round(sec);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** Wall-clock time of day with milliseconds, local time. */
export function clockTime(at: number): string {
  const d = new Date(at);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** An id cut to `max` hex digits (with an ellipsis) so 160-bit ids fit in a column. */
export function shortId(id: string, max = 8, ellipsis = '…'): string {
  return id.length <= max ? id : id.slice(0, max - 1) + ellipsis;
}

/** Escapes blessed tag braces in untrusted text (names, addresses, log messages). */
export function escapeTags(text: string): string {
  return text.replace(/[{}]/g, (c) => (c === '{' ? '{open}' : '{close}'));
}

/** Pads or cuts plain (untagged) text to exactly `width` terminal columns. */
export function fit(text: string, width: number, ellipsis = '…', align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  let w = strWidthOf(text);
  if (w > width) {
    let cut = text;
    while (cut.length > 0 && strWidthOf(cut) > width - strWidthOf(ellipsis)) cut = cut.slice(0, -1);
    text = width > strWidthOf(ellipsis) ? cut + ellipsis : cut.slice(0, width);
    w = strWidthOf(text);
  }
  const pad = ' '.repeat(Math.max(0, width - w));
  return align === 'right' ? pad + text : text + pad;
}

/** Cuts a blessed-tagged line to `width` visible columns (tags take none, {open}/{close} one). */
export function clipTagged(line: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < line.length; ) {
    const tag = line[i] === '{' ? /^\{[^{}]*\}/.exec(line.slice(i, i + 64)) : null;
    const escapedBrace = tag && (tag[0] === '{open}' || tag[0] === '{close}');
    if (tag && !escapedBrace) {
      out += tag[0];
      i += tag[0].length;
      continue;
    }
    const piece = tag ? tag[0] : String.fromCodePoint(line.codePointAt(i)!);
    const w = tag ? 1 : strWidthOf(piece);
    if (visible + w > width) return out + '{/}';
    out += piece;
    visible += w;
    i += piece.length;
  }
  return out;
}

/** Visible width of a tagged line. */
export function taggedWidth(line: string): number {
  return strWidthOf(line.replace(/\{(open|close)\}/g, 'x').replace(/\{[^{}]*\}/g, ''));
}

/** A tagged line cut to `width` visible columns, ending in `ellipsis` when something was cut. */
export function clipWithEllipsis(line: string, width: number, ellipsis: string): string {
  const visible = line.replace(/\{(open|close)\}/g, 'x').replace(/\{[^{}]*\}/g, '');
  return strWidthOf(visible) <= width ? line : `${clipTagged(line, Math.max(0, width - 1))}{/}${ellipsis}`;
}
