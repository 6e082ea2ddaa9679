/** Unit tests for the console's pure pieces: layout, terminal detection, themes, drawing helpers, replies, prompt. */
import test from 'ava';
import { computeLayout, PANE_IDS, split } from '../../src/tui/layout.js';
import { detectTerminal, mapTerm } from '../../src/tui/terminal-caps.js';
import { listThemes, loadTheme, THEME_ROLES } from '../../src/tui/theme.js';
import { DotCanvas } from '../../src/tui/dot-canvas.js';
import { gaugeBar, sparkline } from '../../src/tui/text-charts.js';
import { formatReply, splitWords } from '../../src/tui/format-reply.js';
import { PromptLine } from '../../src/tui/prompt-line.js';
import { estimateRingSize } from '../../src/tui/ring-estimate.js';
import { clipTagged, taggedWidth } from '../../src/tui/format.js';
import { keyName } from '../../src/tui/keymap.js';

test('layout: grid panes tile the screen above the status bar without overlap', (t) => {
  for (const [w, h] of [
    [120, 36],
    [160, 48],
    [211, 61],
  ] as const) {
    const l = computeLayout(w, h);
    if (l.mode !== 'grid') return t.fail(`expected grid at ${w}x${h}`);
    let area = 0;
    for (const id of PANE_IDS) {
      const r = l.panes[id];
      t.true(
        r.left >= 0 && r.top >= 0 && r.left + r.width <= w && r.top + r.height <= h - 2,
        `${id} inside at ${w}x${h}`,
      );
      t.true(r.width >= 20 && r.height >= 6, `${id} big enough at ${w}x${h}`);
      area += r.width * r.height;
    }
    t.is(area, w * (h - 2), 'panes cover the area exactly once');
    t.deepEqual(l.status, { left: 0, top: h - 2, width: w, height: 2 });
  }
  t.is(computeLayout(80, 24).mode, 'tabs');
  t.is(computeLayout(119, 48).mode, 'tabs');
  t.is(computeLayout(60, 18).mode, 'tabs');
  t.is(computeLayout(59, 40).mode, 'too-small');
  t.is(computeLayout(100, 17).mode, 'too-small');
  t.deepEqual(split(10, [1, 1, 1]), [3, 4, 3]);
});

test('terminal: tmux/screen 256-colour entries map to xterm-256color; locale decides Unicode', (t) => {
  t.is(mapTerm('tmux-256color'), 'xterm-256color');
  t.is(mapTerm('screen-256color'), 'xterm-256color');
  t.is(mapTerm('screen'), 'xterm');
  t.is(mapTerm('xterm'), 'xterm');
  t.true(detectTerminal({ TERM: 'xterm-256color', LANG: 'en_US.UTF-8' }).unicode);
  t.false(detectTerminal({ TERM: 'xterm', LANG: 'C' }).unicode);
  t.false(detectTerminal({ TERM: 'linux', LANG: 'POSIX' }).unicode);
  t.false(detectTerminal({ TERM: 'xterm', LANG: 'en_US.UTF-8', LC_ALL: 'C' }).unicode, 'LC_ALL wins');
  t.true(detectTerminal({ TERM: 'xterm', LANG: 'C', P2PTERM_ASCII: '0' }).unicode);
  t.is(detectTerminal({ TERM: 'xterm-256color' }).colors, 256);
  t.is(detectTerminal({ TERM: 'xterm' }).colors, 16);
  const nc = detectTerminal({ TERM: 'xterm-256color', NO_COLOR: '1' });
  t.is(nc.colors, 0);
  t.true(nc.noColor);
});

test('themes: dark, light, high-contrast and mono load in 256 and 16 colours with every role', (t) => {
  const names = listThemes();
  for (const n of ['dark', 'light', 'high-contrast', 'mono']) t.true(names.includes(n), n);
  for (const n of names) {
    for (const colors of [256, 16] as const) {
      const th = loadTheme(n, { colors });
      for (const role of THEME_ROLES) t.is(typeof th.tag(role, 'x'), 'string');
      if (n !== 'mono') t.truthy(th.style('self').fg, `${n}/${colors} colours this node`);
    }
  }
  const mono = loadTheme('dark', { colors: 0 });
  t.is(mono.name, 'mono', 'no colours means the mono theme');
  for (const role of THEME_ROLES) t.false(/-(fg|bg)\}/.test(mono.tag(role, 'x')), `mono ${role} has no colour`);
  t.true(mono.tag('titleFocus', 'x').includes('{inverse}'), 'focus still visible without colour');
  t.throws(() => loadTheme('nope'), { message: /unknown theme "nope"; available: .*dark/ });
});

test('dot canvas: a braille circle, and ASCII line art without any non-ASCII character', (t) => {
  const b = new DotCanvas(20, 10, true);
  b.circle(10, 10, 8, 'ring');
  const text = b.toPlain().join('');
  t.true([...text].every((ch) => ch === ' ' || (ch >= '\u2800' && ch <= '\u28ff')));
  t.true([...text].filter((ch) => ch !== ' ').length > 20);
  const a = new DotCanvas(20, 10, false);
  a.circle(10, 10, 8, 'ring');
  a.line(2, 2, 18, 18, 'finger');
  a.text(1, 1, 'me', 'self');
  const plain = a.toPlain();
  t.true(
    plain
      .join('')
      .split('')
      .every((ch) => ch.charCodeAt(0) < 128),
  );
  t.true(plain[1]!.startsWith(' me'));
  t.true(plain.join('').includes('\\'), 'a down-right line drawn with backslashes');
  t.true(plain.join('').includes('|') && plain.join('').includes('-'), 'circle sides');
});

test('gauges and sparklines in Unicode and ASCII', (t) => {
  t.deepEqual(gaugeBar(0.5, 10, false), { filled: '#####', empty: '.....' });
  const g = gaugeBar(0.55, 10, true);
  t.is([...g.filled].length + [...g.empty].length, 10);
  t.is(sparkline([0, 1, 2, 4], 6, false), '   -+@');
  t.is(sparkline([1, 8], 2, true), '▂█');
  t.is(sparkline([], 3, true), '   ');
});

test('replies read as key: value lines; node refs and flat objects stay on one line', (t) => {
  const lines = formatReply({
    key: 'ab',
    owner: { id: '3f', address: 'h:1' },
    hops: 2,
    path: [
      { id: '1', address: 'a:1' },
      { id: '3f', address: 'h:1' },
    ],
    fingers: [{ index: 0, start: 'a', node: { id: '3f', address: 'h:1' } }],
    none: [],
  });
  t.deepEqual(lines, [
    'key: ab',
    'owner: 3f h:1',
    'hops: 2',
    'path:',
    '  0. 1 a:1',
    '  1. 3f h:1',
    'fingers:',
    '  0. index 0  start a  node 3f h:1',
    'none: (none)',
  ]);
  t.deepEqual(splitWords('put "my file.txt" x\\"y'), ['put', 'my file.txt', 'x\\"y']);
});

test('prompt line: editing, history and completion', (t) => {
  let done: string | null | undefined;
  const p = new PromptLine(':', '', {
    history: ['join a:1', 'lookup k'],
    complete: (w) => ['leave', 'lookup'].filter((n) => n.startsWith(w)),
    onDone: (v) => (done = v),
  });
  for (const k of ['l', 'o', 't', 'backspace']) p.handleKey(k);
  p.handleKey('tab');
  t.is(p.value, 'lookup ');
  p.handleKey('C-u');
  p.handleKey('up');
  t.is(p.value, 'lookup k');
  p.handleKey('up');
  t.is(p.value, 'join a:1');
  p.handleKey('down');
  p.handleKey('down');
  t.is(p.value, '', 'back to the draft');
  p.handleKey('x');
  p.handleKey('enter');
  t.is(done, 'x');
  p.handleKey('escape');
  t.is(done, null);
});

test('ring size: exact when the list wraps or reaches the predecessor, estimated otherwise', (t) => {
  const me = { id: '0', address: 'me' };
  const n = (id: string) => ({ id, address: `n${id}` });
  t.deepEqual(estimateRingSize({ ...me, bits: 8, inRing: true, predecessor: null, successors: [me] }), {
    n: 1,
    exact: true,
  });
  t.deepEqual(
    estimateRingSize({ ...me, bits: 8, inRing: true, predecessor: n('c0'), successors: [n('40'), n('80'), n('c0')] }),
    { n: 4, exact: true },
  );
  t.deepEqual(
    estimateRingSize({
      ...me,
      bits: 8,
      inRing: true,
      predecessor: n('f0'),
      successors: [n('10'), n('20'), n('30'), n('40')],
    }),
    { n: 16, exact: false },
  );
});

test('tagged text is clipped by visible width', (t) => {
  const s = '{red-fg}abc{/}{open}def';
  t.is(taggedWidth(s), 7);
  t.is(clipTagged(s, 4), '{red-fg}abc{/}{open}{/}');
  t.is(clipTagged(s, 3), '{red-fg}abc{/}{/}');
});

test('key names: one name per press, Enter once', (t) => {
  t.is(keyName('\r', { name: 'enter', full: 'enter' }), 'enter');
  t.is(keyName('\r', { name: 'return', full: 'return' }), '');
  t.is(keyName('G', { name: 'g', full: 'S-g', shift: true }), 'G');
  t.is(keyName(undefined, { name: 'tab', full: 'S-tab', shift: true }), 'S-tab');
  t.is(keyName('\x03', { name: 'c', full: 'C-c', ctrl: true }), 'C-c');
  t.is(keyName(' ', { name: 'space', full: 'space' }), 'space');
});

test('every theme tag is understood by blessed (nothing printed literally)', async (t) => {
  const { default: blessed } = await import('blessed');
  const { fakeTerminal, screenLines } = await import('./helpers.js');
  const term = fakeTerminal(100, 40);
  const screen = blessed.screen({
    input: term.input,
    output: term.output,
    terminal: 'xterm-256color',
    warnings: false,
  } as never);
  try {
    const box = blessed.box({ parent: screen, tags: true, width: 100, height: 40 });
    for (const name of listThemes()) {
      for (const colors of [256, 16] as const) {
        const th = loadTheme(name, { colors });
        box.setContent(THEME_ROLES.map((r) => th.tag(r, r)).join('\n'));
        screen.render();
        const text = screenLines(screen).join('\n');
        t.false(text.includes('{'), `${name}/${colors}: ${text.split('\n').find((l) => l.includes('{'))}`);
        t.true(text.includes('gaugeEmpty'));
      }
    }
  } finally {
    screen.destroy();
  }
});
