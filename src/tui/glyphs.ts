/** The symbols the console draws, in a Unicode and an ASCII set (LANG=C, TERM=linux, ...). */

export interface Glyphs {
  readonly self: string;
  readonly pred: string;
  readonly succ: string;
  readonly succList: string;
  readonly node: string;
  readonly check: string;
  readonly cross: string;
  readonly pointer: string;
  readonly paused: string;
  readonly running: string;
  readonly sep: string;
  readonly dot: string;
  readonly ellipsis: string;
  readonly down: string;
  readonly up: string;
  readonly arrow: string;
  readonly dash: string;
  readonly fingerLine: string;
  readonly online: string;
  readonly offline: string;
}

const UNICODE: Glyphs = {
  self: '◉',
  pred: '◆',
  succ: '●',
  succList: '•',
  node: '∘',
  check: '✓',
  cross: '✗',
  pointer: '▸',
  paused: '‖',
  running: '▸',
  sep: '│',
  dot: '·',
  ellipsis: '…',
  down: '↓',
  up: '↑',
  arrow: '→',
  dash: '–',
  fingerLine: '⠒',
  online: '●',
  offline: '○',
};

const ASCII: Glyphs = {
  self: '@',
  pred: 'P',
  succ: 'S',
  succList: 's',
  node: 'o',
  check: '+',
  cross: 'x',
  pointer: '>',
  paused: '||',
  running: '>',
  sep: '|',
  dot: '-',
  ellipsis: '~',
  down: 'v',
  up: '^',
  arrow: '->',
  dash: '-',
  fingerLine: '--',
  online: '*',
  offline: 'o',
};

export function glyphsFor(unicode: boolean): Glyphs {
  return unicode ? UNICODE : ASCII;
}
