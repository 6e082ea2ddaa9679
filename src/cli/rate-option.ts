/** Parses a rate such as `500K`, `2M`, `1.5MB/s` or `0` (unlimited) into bytes per second. */
import { InvalidArgumentError } from 'commander';

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

export function rateOption(what: string) {
  return (value: string): number => {
    const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?(?:\/s)?$/i.exec(value.trim());
    if (!m) throw new InvalidArgumentError(`${what} takes bytes per second, e.g. 500K, 2M, 0 for no limit`);
    return Math.round(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
  };
}

/** The limits given on the command line, as the file service takes them. */
export function limitsOf(o: { maxDown?: number; maxUp?: number; maxTransfers?: number }) {
  return { downloadRateBps: o.maxDown ?? 0, uploadRateBps: o.maxUp ?? 0, maxConcurrent: o.maxTransfers };
}
