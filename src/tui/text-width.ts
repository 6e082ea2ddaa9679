/** Terminal column width of plain text, using blessed's own table so layout and drawing agree. */
import { unicode } from './blessed-parts.js';

/** Printable ASCII only: one column per character, as in blessed's table. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

export function strWidthOf(text: string): number {
  // Most of what panes draw (ids, addresses, numbers, ages) is ASCII: a native test instead of
  // a table lookup per character, which took about a fifth of an idle frame.
  return PRINTABLE_ASCII.test(text) ? text.length : unicode.strWidth(text);
}
