/** "did you mean …" for a mistyped command: the known names within a small edit distance. */

export function didYouMean(word: string, known: readonly string[]): string[] {
  const limit = Math.max(1, Math.floor(word.length / 3));
  const scored = known.map((k) => ({ k, d: editDistance(word.toLowerCase(), k.toLowerCase()) }));
  const best = Math.min(...scored.map((s) => s.d));
  if (!Number.isFinite(best) || best > limit) return known.filter((k) => k.startsWith(word) && word.length > 0);
  return scored.filter((s) => s.d === best).map((s) => s.k);
}

/** "unknown command "x" (did you mean y?)", or with the list of commands when nothing is close. */
export function unknownCommandMessage(word: string, known: readonly string[]): string {
  const near = didYouMean(word, known);
  if (near.length > 0) return `unknown command "${word}" (did you mean ${near.join(' or ')}?)`;
  return `unknown command "${word}"; commands: ${known.join(', ')}`;
}

/** Levenshtein distance, with adjacent swaps counting one. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  return d[a.length]![b.length]!;
}
