/**
 * Fetching a run of consecutive chunks (a span) into one slot and verifying each chunk in it.
 * A span of one chunk is a plain fetch. Sources that cannot serve runs get spans of one.
 *
 * Invariants:
 * - the slot is `spanLength(first, count)` bytes; a source may deliver fewer chunks (from
 *   `first` on, at least one), never a partial chunk: anything else is BAD_CHUNK.
 * - a delivered chunk is verified (length and SHA-256) before anyone may write it; one bad
 *   chunk fails the whole span (the source is dropped by the session).
 */
import type { ChunkSource } from './download-types.js';
import type { HashPool } from './hash-pool.js';
import { chunkLength, chunkOffset, type Manifest, spanLength } from './manifest.js';
import { LONG_SPAN_RATE, LONG_SPAN_SOURCE_RATE } from './transfer-constants.js';
import { abortError, TransferError } from './transfer-error.js';

/** Chunks `first` .. `first + count - 1` into `slot`; resolves with how many were delivered. */
export async function fetchSpan(
  src: ChunkSource,
  m: Manifest,
  first: number,
  count: number,
  slot: Uint8Array,
  signal: AbortSignal,
): Promise<number> {
  if (count > 1 && src.fetchSpanInto) {
    const bytes = await src.fetchSpanInto(first, count, slot, signal);
    for (let n = 1; n <= count; n++) if (bytes === spanLength(m, first, n)) return n;
    throw new TransferError('BAD_CHUNK', `${src.id} sent ${bytes} bytes for chunks ${first}..${first + count - 1}`);
  }
  const target = slot.subarray(0, chunkLength(m, first));
  if (src.fetchInto) await src.fetchInto(first, target, signal);
  else {
    const got = await src.fetch(first, signal);
    if (got.byteLength !== target.byteLength) {
      throw new TransferError(
        'BAD_CHUNK',
        `chunk ${first} from ${src.id} is ${got.byteLength} bytes, not ${target.byteLength}`,
      );
    }
    target.set(got);
  }
  return 1;
}

/** Views of the `n` chunks from `first` on in `slot`, each checked against its SHA-256. */
export async function verifySpan(
  pool: HashPool,
  m: Manifest,
  src: ChunkSource,
  first: number,
  n: number,
  slot: Uint8Array,
  signal: AbortSignal,
): Promise<Uint8Array[]> {
  if (signal.aborted) throw abortError(signal);
  const base = chunkOffset(m, first);
  const views = Array.from({ length: n }, (_, k) => {
    const at = chunkOffset(m, first + k) - base;
    return slot.subarray(at, at + chunkLength(m, first + k));
  });
  const hexes = await pool.hashSharedParts(
    slot.subarray(0, spanLength(m, first, n)),
    views.map((v) => v.byteLength),
  );
  if (signal.aborted) throw abortError(signal);
  const bad = hexes.findIndex((hex, k) => hex !== m.chunks[first + k]);
  if (bad >= 0) {
    throw new TransferError('BAD_CHUNK', `chunk ${first + bad} from ${src.id} does not match its SHA-256`);
  }
  return views;
}

/** Chunks per request for these sources: `spanBytes` worth if any source serves runs, else 1. */
export function spanChunks(m: Manifest, sources: readonly ChunkSource[], spanBytes: number): number {
  if (!sources.some((s) => s.fetchSpanInto)) return 1;
  return Math.max(1, Math.floor(spanBytes / m.chunkSize));
}

/** How a download asks its sources for chunks (see spanPlan). */
export interface SpanPlan {
  /** Chunks per request to a source not (yet) measured fast, and its requests in flight. */
  readonly short: number;
  readonly shortRequests: number;
  /** Chunks per request to a fast source (slots are this long), and its requests in flight. */
  readonly long: number;
  readonly longRequests: number;
  /** Slots: twice the most request places, so spans on their way to disk hold no request back. */
  readonly slots: number;
}

/**
 * Spans and request places for `sources`: `pipeline` chunks' worth of spans per source (two
 * requests at least for a lone source, which has no other source to keep busy during a round
 * trip); long spans shrink until all the slots fit in `bytes.slab` (never below short ones).
 */
export function spanPlan(
  m: Manifest,
  sources: readonly ChunkSource[],
  pipeline: number,
  bytes: { readonly short: number; readonly long: number; readonly slab: number },
): SpanPlan {
  const least = sources.length > 1 ? 1 : 2;
  const requests = (span: number) => (span > 1 ? Math.max(least, Math.ceil(pipeline / span)) : pipeline);
  const short = spanChunks(m, sources, bytes.short);
  const plan = (long: number): SpanPlan => {
    const [shortRequests, longRequests] = [requests(short), requests(long)];
    const slots = 2 * Math.max(shortRequests, longRequests) * sources.length;
    return { short, shortRequests, long, longRequests, slots };
  };
  let p = plan(Math.max(short, spanChunks(m, sources, bytes.long)));
  while (p.long > short && p.slots * p.long * m.chunkSize > bytes.slab) p = plan(p.long - 1);
  return p;
}

/**
 * The span and the requests in flight for a source delivering `sourceBps` in a download running
 * at `totalBps`: long spans once both are fast (fewer requests, so fewer wake-ups on both ends
 * per byte), short ones until then.
 */
export function spanFor(plan: SpanPlan, sourceBps: number, totalBps: number): { span: number; requests: number } {
  const fast = sourceBps >= LONG_SPAN_SOURCE_RATE && totalBps >= LONG_SPAN_RATE;
  if (fast && plan.long > plan.short) return { span: plan.long, requests: plan.longRequests };
  return { span: plan.short, requests: plan.shortRequests };
}

/** Views `k` .. `k + n - 1` (adjacent in one slot) as one view. */
export function joined(views: readonly Uint8Array[], k: number, n: number): Uint8Array {
  const head = views[k]!;
  const tail = views[k + n - 1]!;
  return new Uint8Array(head.buffer, head.byteOffset, tail.byteOffset + tail.byteLength - head.byteOffset);
}
