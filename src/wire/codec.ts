/**
 * Frames on the wire: a 4-byte big-endian length, then a MessagePack array
 * `[kind, requestId, type, body]`. Binary values travel as MessagePack bin (raw bytes).
 *
 * Invariants:
 * - a frame longer than the limit is refused before its body is buffered;
 * - every decoded body has been parsed by its zod schema (cheap envelope checks first).
 */
import { decode, Encoder } from '@msgpack/msgpack';
import { MAX_FRAME_BYTES } from '../core/constants.js';
import { DecodeError } from './errors.js';
import { hello, isRequestType, requestSchemas, responseSchemas, type Hello, type RequestType } from './messages.js';

export const FrameKind = { hello: 0, request: 1, response: 2, error: 3, refused: 4 } as const;

export type Frame =
  | { kind: 'hello'; body: Hello }
  | { kind: 'request'; id: number; type: RequestType; body: unknown }
  | { kind: 'response'; id: number; body: unknown }
  | { kind: 'error'; id: number; code: string; message: string }
  | { kind: 'refused'; code: string; message: string };

const HEADER = 4;

/** One encoder reused for every frame: its buffer grows once instead of per message. */
const encoder = new Encoder();

export function encodeFrame(frame: Frame): Buffer {
  const payload = encoder.encodeSharedRef(toArray(frame));
  if (payload.byteLength > MAX_FRAME_BYTES) throw new RangeError(`frame of ${payload.byteLength} bytes exceeds ${MAX_FRAME_BYTES}`);
  const out = Buffer.allocUnsafe(HEADER + payload.byteLength);
  out.writeUInt32BE(payload.byteLength, 0);
  out.set(payload, HEADER);
  return out;
}

function toArray(f: Frame): unknown[] {
  switch (f.kind) {
    case 'hello':
      return [FrameKind.hello, 0, 'hello', f.body];
    case 'request':
      return [FrameKind.request, f.id, f.type, f.body];
    case 'response':
      return [FrameKind.response, f.id, '', f.body];
    case 'error':
      return [FrameKind.error, f.id, f.code, { message: f.message }];
    case 'refused':
      return [FrameKind.refused, 0, f.code, { message: f.message }];
  }
}

/** Decodes one payload (without its length header). Response bodies are checked by the caller. */
export function decodePayload(payload: Uint8Array): Frame {
  let raw: unknown;
  try {
    raw = decode(payload, { maxStrLength: MAX_FRAME_BYTES, maxBinLength: MAX_FRAME_BYTES, maxArrayLength: 4096, maxMapLength: 64 });
  } catch (e) {
    throw new DecodeError(`not MessagePack: ${(e as Error).message}`);
  }
  if (!Array.isArray(raw) || raw.length !== 4) throw new DecodeError('frame is not a 4-element array');
  const [kind, id, type, body] = raw as [unknown, unknown, unknown, unknown];
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffffffff) throw new DecodeError('bad request id');
  if (typeof type !== 'string' || type.length > 64) throw new DecodeError('bad message type');
  switch (kind) {
    case FrameKind.hello:
      return { kind: 'hello', body: parse(hello, body, 'hello') };
    case FrameKind.request:
      if (!isRequestType(type)) throw new DecodeError(`unknown request type ${JSON.stringify(type)}`);
      return { kind: 'request', id, type, body: parse(requestSchemas[type], body, type) };
    case FrameKind.response:
      return { kind: 'response', id, body };
    case FrameKind.error:
    case FrameKind.refused: {
      const message = typeof (body as { message?: unknown })?.message === 'string' ? (body as { message: string }).message.slice(0, 1000) : '';
      return kind === FrameKind.error ? { kind: 'error', id, code: type, message } : { kind: 'refused', code: type, message };
    }
    default:
      throw new DecodeError(`unknown frame kind ${String(kind)}`);
  }
}

/** Checks a response body against the schema of the request it answers. */
export function parseResponse<T extends RequestType>(type: T, body: unknown): unknown {
  return parse(responseSchemas[type], body, `${type} response`);
}

function parse<S extends { safeParse(v: unknown): { success: boolean; data?: unknown; error?: { issues: { path: PropertyKey[]; message: string }[] } } }>(
  schema: S,
  value: unknown,
  what: string,
): never | any {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error!.issues[0];
  throw new DecodeError(`invalid ${what}: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'schema mismatch'}`);
}

/**
 * Splits a byte stream into frame payloads. Refuses a declared length above the limit
 * as soon as the 4-byte header is seen, without buffering the body.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxFrame = MAX_FRAME_BYTES) {}

  /** Feeds bytes; returns the complete payloads now available. Throws DecodeError on a bad length. */
  push(data: Buffer): Buffer[] {
    this.chunks.push(data);
    this.buffered += data.length;
    const out: Buffer[] = [];
    for (;;) {
      if (this.buffered < HEADER) return out;
      const head = this.peek(HEADER);
      const len = head.readUInt32BE(0);
      if (len > this.maxFrame) throw new DecodeError(`frame of ${len} bytes exceeds the ${this.maxFrame}-byte limit`);
      if (this.buffered < HEADER + len) return out;
      out.push(this.take(HEADER + len).subarray(HEADER));
    }
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!;
  }

  private take(n: number): Buffer {
    const first = this.peek(n);
    const out = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return out;
  }
}
