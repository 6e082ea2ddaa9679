/** Terminal column width of plain text, using blessed's own table so layout and drawing agree. */
import blessed from 'blessed';

const unicode = (blessed as unknown as { unicode: { strWidth(s: string): number } }).unicode;

export function strWidthOf(text: string): number {
  return unicode.strWidth(text);
}
