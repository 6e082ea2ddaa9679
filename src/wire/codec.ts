/**
 * Frames on the wire: a 4-byte big-endian length, then a MessagePack array
 * `[kind, requestId, type, body]`. Binary values travel as MessagePack bin (raw bytes).
 *
 * A body with a large binary field (a file chunk) sends that field as a raw tail instead, so
 * neither side copies it through MessagePack and a receiver can land it straight in its final
 * buffer: the length word has its top bit set, a second 4-byte word gives the tail's length,
 * the array gets a fifth element naming the field, and the tail's bytes follow the payload.
 *
 * A request for (or from) a virtual node other than a process's first carries a sixth element,
 * its route `{to?, from?}` (see messages.ts vnodeRoute); the fifth is then nil when there is no
 * tail. Frames between single nodes never carry it, so they are as before.
 *
 * Invariants:
 * - a frame (payload or tail) longer than the limit is refused before its body is buffered;
 * - every decoded body has been parsed by its zod schema (cheap envelope checks first), with
 *   its tail already in place.
 */
import { decode, Encoder } from '@msgpack/msgpack';
import type { z } from 'zod';
import { MAX_FRAME_BYTES } from '../core/constants.js';
import { DecodeError } from './errors.js';
import { TAIL_FLAG, WORD } from './frame-decoder.js';
import {
  hello,
  isRequestType,
  requestSchemas,
  responseSchemas,
  vnodeRoute,
  type Hello,
  type RequestType,
  type VnodeRoute,
} from './messages.js';

export { FrameDecoder, type RawFrame, type TailTarget } from './frame-decoder.js';

export const FrameKind = { hello: 0, request: 1, response: 2, error: 3, refused: 4 } as const;

export type Frame =
  | { kind: 'hello'; body: Hello }
  | { kind: 'request'; id: number; type: RequestType; body: unknown; route?: VnodeRoute }
  | { kind: 'response'; id: number; body: unknown }
  | { kind: 'error'; id: number; code: string; message: string }
  | { kind: 'refused'; code: string; message: string };

/** Binary fields at least this long travel as a tail (below it MessagePack's copy is cheaper). */
export const TAIL_MIN_BYTES = 16 * 1024;

/** One encoder reused for every frame: its buffer grows once instead of per message. */
const encoder = new Encoder();

/** A frame ready to write: `head` (lengths and payload), then `tail` when it has one. */
export interface EncodedFrame {
  readonly head: Buffer;
  readonly tail: Uint8Array | null;
}

/** A frame as one buffer (tails copied in); see encodeFrameParts for the copy-free form. */
export function encodeFrame(frame: Frame): Buffer {
  const { head, tail } = encodeFrameParts(frame);
  return tail ? Buffer.concat([head, tail]) : head;
}

export function encodeFrameParts(frame: Frame): EncodedFrame {
  const array = toArray(frame);
  const field = tailField(array[3]);
  let tail: Uint8Array | null = null;
  if (field !== null) {
    const body = { ...(array[3] as Record<string, unknown>) };
    tail = body[field] as Uint8Array;
    delete body[field];
    array[3] = body;
    array.push(field);
  }
  const route = frame.kind === 'request' ? frame.route : undefined;
  if (route && (route.to || route.from)) {
    if (array.length === 4) array.push(null);
    // Only the indexes given: MessagePack would turn an undefined field into a nil.
    array.push({ ...(route.to ? { to: route.to } : {}), ...(route.from ? { from: route.from } : {}) });
  }
  const payload = encoder.encodeSharedRef(array);
  if (payload.byteLength > MAX_FRAME_BYTES)
    throw new RangeError(`frame of ${payload.byteLength} bytes exceeds ${MAX_FRAME_BYTES}`);
  if (tail && tail.byteLength > MAX_FRAME_BYTES)
    throw new RangeError(`tail of ${tail.byteLength} bytes exceeds ${MAX_FRAME_BYTES}`);
  const words = tail ? 2 : 1;
  const head = Buffer.allocUnsafe(WORD * words + payload.byteLength);
  head.writeUInt32BE((tail ? TAIL_FLAG : 0) + payload.byteLength, 0);
  if (tail) head.writeUInt32BE(tail.byteLength, WORD);
  head.set(payload, WORD * words);
  return { head, tail };
}

/** The name of the body's first binary field long enough to travel as a tail, or null. */
function tailField(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  for (const [k, v] of Object.entries(body)) if (v instanceof Uint8Array && v.byteLength >= TAIL_MIN_BYTES) return k;
  return null;
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

/**
 * Decodes one payload (without its length words), putting `tail` (if the frame had one) back
 * into its field. Response bodies are checked by the caller.
 */
export function decodePayload(payload: Uint8Array, tail: Uint8Array | null = null): Frame {
  const raw = decodeArray(payload, tail !== null);
  const [kind, id, type] = raw as [unknown, unknown, unknown];
  let body = raw[3];
  if (raw.length === 6 && kind !== FrameKind.request) throw new DecodeError('only a request carries a route');
  if (tail === null && raw.length === 6 && raw[4] !== null) throw new DecodeError('tail field name without a tail');
  if (tail !== null) {
    const field = raw[4];
    if (typeof field !== 'string' || field.length > 64) throw new DecodeError('bad tail field name');
    if (typeof body !== 'object' || body === null || Array.isArray(body) || field in body)
      throw new DecodeError('tail does not fit the body');
    body = { ...body, [field]: tail };
  }
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffffffff)
    throw new DecodeError('bad request id');
  if (typeof type !== 'string' || type.length > 64) throw new DecodeError('bad message type');
  switch (kind) {
    case FrameKind.hello:
      return { kind: 'hello', body: parse(hello, body, 'hello') };
    case FrameKind.request:
      if (!isRequestType(type)) throw new DecodeError(`unknown request type ${JSON.stringify(type)}`);
      return {
        kind: 'request',
        id,
        type,
        body: parse(requestSchemas[type], body, type),
        ...(raw.length === 6 ? { route: parse(vnodeRoute, raw[5], 'route') } : {}),
      };
    case FrameKind.response:
      return { kind: 'response', id, body };
    case FrameKind.error:
    case FrameKind.refused: {
      const message =
        typeof (body as { message?: unknown })?.message === 'string'
          ? (body as { message: string }).message.slice(0, 1000)
          : '';
      return kind === FrameKind.error
        ? { kind: 'error', id, code: type, message }
        : { kind: 'refused', code: type, message };
    }
    default:
      throw new DecodeError(`unknown frame kind ${String(kind)}`);
  }
}

/** The response id of a payload, or null when it is not a response (to route its tail early). */
export function responseIdOf(payload: Uint8Array): number | null {
  const raw = decodeArray(payload, true);
  return raw[0] === FrameKind.response && typeof raw[1] === 'number' ? raw[1] : null;
}

function decodeArray(payload: Uint8Array, withTail: boolean): unknown[] {
  let raw: unknown;
  try {
    raw = decode(payload, {
      maxStrLength: MAX_FRAME_BYTES,
      maxBinLength: MAX_FRAME_BYTES,
      maxArrayLength: 4096,
      maxMapLength: 64,
    });
  } catch (e) {
    throw new DecodeError(`not MessagePack: ${(e as Error).message}`);
  }
  const n = withTail ? 5 : 4;
  if (!Array.isArray(raw) || (raw.length !== n && raw.length !== 6))
    throw new DecodeError(`frame is not a ${n}-element array`);
  return raw;
}

/** Checks a response body against the schema of the request it answers. */
export function parseResponse<T extends RequestType>(type: T, body: unknown): unknown {
  return parse(responseSchemas[type], body, `${type} response`);
}

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error!.issues[0];
  throw new DecodeError(
    `invalid ${what}: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'schema mismatch'}`,
  );
}
