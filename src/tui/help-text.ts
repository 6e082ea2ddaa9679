/** The help overlay's lines and the hint bar, built from the key bindings themselves. */
import { escapeTags, fit } from './format.js';
import { bindingLabel, type KeyBinding } from './keymap.js';
import type { Theme } from './theme.js';

export function helpLines(
  theme: Theme,
  unicode: boolean,
  global: readonly KeyBinding[],
  paneTitle: string,
  pane: readonly KeyBinding[],
  commands: readonly string[],
): string[] {
  const section = (title: string, list: readonly KeyBinding[]) => [
    theme.tag('heading', escapeTags(title)),
    ...list
      .filter((b) => b.help)
      .map((b) => `  ${theme.tag('hintKey', escapeTags(fit(bindingLabel(b, unicode), 16, '')))} ${escapeTags(b.help)}`),
  ];
  const out = [...section(paneTitle, pane), '', ...section('Everywhere', global)];
  if (pane.length === 0) out.splice(1, 0, '  (no keys of its own)');
  out.push(
    '',
    theme.tag('heading', 'Commands (:)'),
    ...wrapWords(commands.join('  '), 64).map((l) => '  ' + escapeTags(l)),
  );
  return out;
}

/** "Tab focus  : command  ? help  q quit  p pause ..." for the bottom line. */
export function hintLine(theme: Theme, bindings: readonly KeyBinding[], unicode: boolean): string {
  return bindings
    .filter((b) => b.hint)
    .map(
      (b) => `${theme.tag('hintKey', escapeTags(bindingLabel(b, unicode)))} ${theme.tag('hint', escapeTags(b.hint!))}`,
    )
    .join('  ');
}

function wrapWords(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const w of text.split(/(?<=\S)\s{2}(?=\S)/)) {
    if (line && line.length + w.length + 2 > width) out.push(line), (line = '');
    line = line ? `${line}  ${w}` : w;
  }
  if (line) out.push(line);
  return out;
}
