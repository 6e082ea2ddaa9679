/** Parses a rate such as `500K`, `2M`, `1.5MB/s` or `0` (unlimited) into bytes per second. */
import { InvalidArgumentError } from 'commander';
import { parseRate } from '../tui/rate-text.js';

export function rateOption(what: string) {
  return (value: string): number => {
    try {
      return parseRate(value);
    } catch {
      throw new InvalidArgumentError(`${what} takes bytes per second, e.g. 500K, 2M, 0 for no limit`);
    }
  };
}

/** The limits given on the command line, as the file service takes them. */
export function limitsOf(o: { maxDown?: number; maxUp?: number; maxTransfers?: number }) {
  return { downloadRateBps: o.maxDown ?? 0, uploadRateBps: o.maxUp ?? 0, maxConcurrent: o.maxTransfers };
}
