/** The console's text width: the ASCII shortcut must agree with blessed's table everywhere. */
import test from 'ava';
import { unicode } from '../../src/tui/blessed-parts.js';
import { strWidthOf } from '../../src/tui/text-width.js';

test('every printable ASCII character, and text made of them, is as wide as blessed says', (t) => {
  let all = '';
  for (let c = 0x20; c <= 0x7e; c++) {
    const ch = String.fromCharCode(c);
    t.is(strWidthOf(ch), unicode.strWidth(ch), `U+${c.toString(16)}`);
    all += ch;
  }
  t.is(strWidthOf(all), unicode.strWidth(all));
});

test("text with control, wide, combining or other non-ASCII characters takes blessed's width", (t) => {
  for (const s of ['a\tb', 'x\u0007y', 'del\u007f', '节点 ring', 'e\u0301', '→ ok', '😀', 'café', '\u00a0'])
    t.is(strWidthOf(s), unicode.strWidth(s), JSON.stringify(s));
});
