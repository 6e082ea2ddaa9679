/** Store keys as a log line names them. */

/** Keys named in one log line at most (enough for a trace of a small store). */
const LOGGED_KEYS = 64;

/** Keys for a log line: up to LOGGED_KEYS, shortened, and how many more. */
export function keyList(keys: readonly string[]): string {
  const shown = keys.slice(0, LOGGED_KEYS).map((k) => JSON.stringify(k.length > 24 ? `${k.slice(0, 24)}…` : k));
  const more = keys.length > shown.length ? ` and ${keys.length - shown.length} more` : '';
  return shown.join(', ') + more;
}
