/** Wraps plain text to a width in terminal columns, at spaces where it can, so nothing is cut. */
import { strWidthOf } from './text-width.js';

export function wrapLine(text: string, width: number, indent = '  '): string[] {
  const out: string[] = [];
  let rest = text.replace(/\t/g, ' ');
  let first = true;
  while (rest.length > 0) {
    const room = first ? width : width - indent.length;
    if (strWidthOf(rest) <= room) {
      out.push(first ? rest : indent + rest);
      break;
    }
    const cut = cutAt(rest, room);
    out.push((first ? '' : indent) + rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
    first = false;
  }
  return out.length ? out : [''];
}

/** Where to cut: the last space that keeps the part within `room` columns, else at `room`. */
function cutAt(text: string, room: number): number {
  let end = 0;
  let w = 0;
  for (const ch of text) {
    const cw = strWidthOf(ch);
    if (w + cw > room) break;
    w += cw;
    end += ch.length;
  }
  const space = text.lastIndexOf(' ', end);
  return space > room / 2 ? space : Math.max(1, end);
}
