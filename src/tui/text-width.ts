/** Terminal column width of plain text, using blessed's own table so layout and drawing agree. */
import { unicode } from './blessed-parts.js';

export function strWidthOf(text: string): number {
  return unicode.strWidth(text);
}
