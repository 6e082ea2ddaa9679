/** Text gauges and sparklines that work in every theme (no colour needed) and in ASCII. */

/** A bar of `width` cells filled to `fraction` (0..1): "█████░░░░" or "#####....". */
export function gaugeBar(fraction: number, width: number, unicode: boolean): { filled: string; empty: string } {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  if (width <= 0) return { filled: '', empty: '' };
  if (!unicode) {
    const n = Math.round(f * width);
    return { filled: '#'.repeat(n), empty: '.'.repeat(width - n) };
  }
  // Eighth blocks give the bar sub-cell precision.
  const eighths = Math.round(f * width * 8);
  const full = Math.floor(eighths / 8);
  const part = eighths % 8;
  const partial = part ? '▏▎▍▌▋▊▉'[part - 1]! : '';
  return { filled: '█'.repeat(full) + partial, empty: '░'.repeat(width - full - (partial ? 1 : 0)) };
}

const BARS = '▁▂▃▄▅▆▇█';
const ASCII_BARS = '_.-=+*#@';

/** The last `width` values as a one-line sparkline scaled to their maximum. */
export function sparkline(values: readonly number[], width: number, unicode: boolean): string {
  const tail = values.slice(-width);
  const max = Math.max(0, ...tail);
  const bars = unicode ? BARS : ASCII_BARS;
  const line = tail.map((v) =>
    max <= 0 || v <= 0 ? ' ' : bars[Math.min(bars.length - 1, Math.floor((v / max) * (bars.length - 1) + 0.5))]!,
  );
  return ' '.repeat(Math.max(0, width - line.length)) + line.join('');
}

/** Groups a histogram (counts[v] = how many had value v) into at most `rows` bins of equal width. */
export function binHistogram(
  histogram: readonly number[],
  rows: number,
): { lo: number; hi: number; label: string; count: number }[] {
  const n = Math.max(1, histogram.length);
  const size = Math.max(1, Math.ceil(n / Math.max(1, rows)));
  const out: { lo: number; hi: number; label: string; count: number }[] = [];
  for (let lo = 0; lo < n; lo += size) {
    const hi = Math.min(n - 1, lo + size - 1);
    let count = 0;
    for (let h = lo; h <= hi; h++) count += histogram[h] ?? 0;
    out.push({ lo, hi, label: lo === hi ? String(lo) : `${lo}-${hi}`, count });
  }
  return out;
}
