/**
 * Names from the network are never trusted as paths. A name is usable only as one plain
 * path component; nothing derived from it may resolve outside the download directory.
 *
 * Invariants:
 * - safeFileName accepts only: non-empty, not "." or "..", no "/" or "\\", no NUL or other
 *   control character (C0, DEL, C1), at most 255 UTF-8 bytes.
 * - resolveInside(dir, name) returns resolve(dir)/name, whose parent is exactly resolve(dir).
 * - sanitizeFileName(anything) returns a name safeFileName accepts.
 */
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { MAX_NAME_BYTES } from './transfer-constants.js';
import { TransferError } from './transfer-error.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const SEPARATOR = /[/\\]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Why `name` is not a safe file name, or null when it is. */
export function fileNameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'empty name';
  if (name === '.' || name === '..') return `"${name}" is not a file name`;
  if (SEPARATOR.test(name)) return 'name contains a path separator';
  if (CONTROL.test(name)) return 'name contains a control character';
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) return `name over ${MAX_NAME_BYTES} bytes`;
  if (hasLoneSurrogate(name)) return 'name is not valid Unicode';
  return null;
}

/** Returns `name` unchanged when it is a safe single path component; throws BAD_NAME otherwise. */
export function safeFileName(name: unknown): string {
  const problem = fileNameProblem(name);
  if (problem) throw new TransferError('BAD_NAME', `unsafe file name ${JSON.stringify(name)}: ${problem}`);
  return name as string;
}

/**
 * A safe name derived from any string, for when a usable name beats a refusal: keeps the last
 * path component, drops control characters, truncates to 255 UTF-8 bytes (keeping a short
 * extension), and falls back to `fallback` when nothing usable is left.
 */
export function sanitizeFileName(name: string, fallback = 'download'): string {
  const last = name.split(SEPARATOR).pop() ?? '';
  const cleaned = [...last]
    .filter((ch) => !CONTROL.test(ch))
    .join('')
    .trim();
  const cut = truncateKeepingExtension(cleaned.replace(LONE_SURROGATE, '\uFFFD'), MAX_NAME_BYTES);
  return fileNameProblem(cut) === null ? cut : fallback;
}

function hasLoneSurrogate(s: string): boolean {
  LONE_SURROGATE.lastIndex = 0;
  return LONE_SURROGATE.test(s);
}

/** Truncates `name` to at most `maxBytes` UTF-8 bytes at a code-point boundary. */
export function truncateUtf8(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name, 'utf8') <= maxBytes) return name;
  let out = '';
  let used = 0;
  for (const ch of name) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (used + n > maxBytes) break;
    out += ch;
    used += n;
  }
  return out;
}

function truncateKeepingExtension(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name, 'utf8') <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  return truncateUtf8(name.slice(0, name.length - ext.length), maxBytes - Buffer.byteLength(ext, 'utf8')) + ext;
}

/** The absolute path of `name` directly inside `dir`; throws BAD_NAME if it could be anywhere else. */
export function resolveInside(dir: string, name: string): string {
  const root = resolve(dir);
  const full = join(root, safeFileName(name));
  const rel = relative(root, full);
  if (rel !== name || rel.startsWith('..') || isAbsolute(rel) || rel.includes(sep)) {
    throw new TransferError('BAD_NAME', `${JSON.stringify(name)} does not stay inside ${root}`);
  }
  return full;
}
