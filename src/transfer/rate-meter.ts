/**
 * Transfer rate over a sliding window: bytes are counted as they arrive, and each reading
 * records a sample, so the rate is (bytes since the oldest sample in the window) / (its age).
 *
 * Invariants: samples are in time order; at most one sample is older than the window (the
 * anchor the rate is measured from); readings are pure arithmetic on the injected `now`.
 */
import { RATE_WINDOW_MS } from './transfer-constants.js';

/** Readings closer together than this share a sample (bounds the sample list). */
const SAMPLE_MS = 50;

interface Sample {
  readonly t: number;
  readonly total: number;
}

export class RateMeter {
  /** Bytes counted since the meter started. */
  total = 0;
  private readonly samples: Sample[];

  /** @param start time of the first sample (ms); @param windowMs averaging window (default 2 s). */
  constructor(
    start: number,
    private readonly windowMs = RATE_WINDOW_MS,
  ) {
    this.samples = [{ t: start, total: 0 }];
  }

  add(bytes: number): void {
    this.total += bytes;
  }

  /** Bytes per second over the last window, as of `now` (ms). */
  rate(now: number): number {
    const s = this.samples;
    if (now - s[s.length - 1]!.t >= SAMPLE_MS) s.push({ t: now, total: this.total });
    while (s.length > 2 && s[1]!.t <= now - this.windowMs) s.shift();
    const anchor = s[0]!;
    const span = now - anchor.t;
    return span > 0 ? ((this.total - anchor.total) * 1000) / span : 0;
  }
}
