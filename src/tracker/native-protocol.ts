/**
 * The native tracker protocol for p2pterm peers, on the same port as P2P-CI/1.0.
 *
 * A connection whose first line is `P2PTERM-TRACKER/1` switches to JSON lines: each request
 * is one JSON object `{ id, type, ... }` on one line, answered by `{ id, ok: true, ... }` or
 * `{ id, ok: false, code, message }` on one line, in order.
 *
 * Invariants:
 * - every inbound line is parsed by its zod schema before use, on both sides;
 * - file names are plain names (no path separators, no control bytes, not `.` or `..`);
 * - a registered peer that sends nothing (not even a heartbeat) for the server's liveness
 *   time is marked offline and disconnected; `register` tells the client how often to beat.
 */
import { z } from 'zod';
import { MAX_ANNOUNCE_FILES, NATIVE_MAGIC } from './tracker-constants.js';

const plainName = z
  .string()
  .min(1)
  .max(255)
  .refine((n) => n !== '.' && n !== '..' && !/[/\\\x00-\x1f\x7f]/.test(n), 'must be a plain file name');

const hostName = z.string().regex(/^[^\s\x00-\x1f\x7f]{1,255}$/, 'must be a host name without spaces');
const port = z.number().int().min(1).max(65535);
const id = z.number().int().nonnegative();

export const announcedFileSchema = z.object({
  name: plainName,
  size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullish(),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits')
    .nullish(),
});
export type AnnouncedFile = z.infer<typeof announcedFileSchema>;

export const nativeRequestSchema = z.discriminatedUnion('type', [
  z.object({ id, type: z.literal('register'), host: hostName, port }),
  z.object({
    id,
    type: z.literal('announce'),
    files: z.array(announcedFileSchema).max(MAX_ANNOUNCE_FILES),
    replace: z.boolean().optional(),
  }),
  z.object({ id, type: z.literal('unannounce'), name: plainName }),
  z.object({ id, type: z.literal('heartbeat') }),
  z.object({ id, type: z.literal('search'), text: z.string().max(255) }),
  z.object({ id, type: z.literal('list') }),
]);
export type NativeRequest = z.infer<typeof nativeRequestSchema>;
export type NativeRequestType = NativeRequest['type'];

export const sourceSchema = z.object({
  host: z.string(),
  port: z.number().int(),
  online: z.boolean(),
  kind: z.enum(['p2pterm', 'p2pci']),
});
export type TrackerSource = z.infer<typeof sourceSchema>;

/** Files with one name and content (sha256 when known), with every peer that has them. */
export const searchMatchSchema = z.object({
  name: z.string(),
  rfc: z.number().int().nullable(),
  title: z.string(),
  size: z.number().int().nullable(),
  sha256: z.string().nullable(),
  sources: z.array(sourceSchema),
});
export type SearchMatch = z.infer<typeof searchMatchSchema>;

/** Result bodies by request type (what follows `id` and `ok: true`). */
export const nativeResultSchemas = {
  register: z.object({ host: z.string(), port: z.number().int(), heartbeatMs: z.number().int().positive() }),
  announce: z.object({ added: z.number().int(), removed: z.number().int() }),
  unannounce: z.object({ removed: z.boolean() }),
  heartbeat: z.object({}),
  search: z.object({ matches: z.array(searchMatchSchema) }),
  list: z.object({ matches: z.array(searchMatchSchema) }),
} as const;

export type NativeResults = { [K in NativeRequestType]: z.infer<(typeof nativeResultSchemas)[K]> };

export const nativeReplyEnvelope = z.union([
  z.looseObject({ id, ok: z.literal(true) }),
  z.object({ id: id.nullable(), ok: z.literal(false), code: z.string(), message: z.string() }),
]);

/** Is `buf` (from the start of a connection) the native magic line, P2P-CI, or undecided? */
export function sniffProtocol(buf: Buffer): { kind: 'native'; rest: Buffer } | { kind: 'p2pci' } | { kind: 'wait' } {
  let start = 0;
  while (start < buf.length && (buf[start] === 0x0d || buf[start] === 0x0a)) start++;
  const nl = buf.indexOf(0x0a, start);
  const line = buf
    .subarray(start, nl < 0 ? buf.length : nl)
    .toString('latin1')
    .replace(/\r$/, '');
  if (nl < 0) return NATIVE_MAGIC.startsWith(line) ? { kind: 'wait' } : { kind: 'p2pci' };
  return line === NATIVE_MAGIC ? { kind: 'native', rest: buf.subarray(nl + 1) } : { kind: 'p2pci' };
}

/** Short description of a zod failure for an error reply. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
