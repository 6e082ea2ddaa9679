/** Rates as people type them: `500K`, `2M`, `1.5MB/s`, `0` (no limit), in bytes per second. */
const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Bytes per second; throws with a message on anything else. */
export function parseRate(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?(?:\/s)?$/i.exec(text.trim());
  if (!m) throw new Error('expected bytes per second, e.g. 500K, 2M, 0 for no limit');
  return Math.round(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
}
