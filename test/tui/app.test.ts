import test from 'ava';
import { openConsole, simRing, find, waitFor, tick } from './helpers.js';

test('draws every pane side by side at 160x48 with the status bar', async (t) => {
  const ring = await simRing(6);
  const c = openConsole(ring.nodes[0]!);
  try {
    const s = c.text();
    for (const title of [
      '1 Ring map',
      '2 Finger table',
      '3 Stabilization',
      '4 Log',
      '5 Files',
      '6 Transfers',
      '7 Tracker',
    ]) {
      t.true(find(s, title) >= 0, `missing pane ${title}`);
    }
    // Panes in one row share screen rows: the ring map and the finger table start on row 0.
    t.true(s[0]!.includes('Ring map') && s[0]!.includes('Finger table') && s[0]!.includes('Stabilization'));
    const snap = c.node.snapshot();
    const status = s[46]!;
    t.true(status.includes(snap.id) && status.includes(snap.address), status);
    t.true(status.includes(`pred ${snap.predecessor!.id}`), status);
    t.true(status.includes(`succ ${snap.successors[0]!.id}`), status);
    t.regex(status, /ring ≈?\d+/);
    t.regex(s[47]!, /\? help.*Tab focus.*: command.*q quit/);
  } finally {
    c.close();
    await ring.stop();
  }
});

test('Tab, shift-Tab and number keys move the highlighted focus', async (t) => {
  const ring = await simRing(3);
  const c = openConsole(ring.nodes[0]!);
  try {
    const focusedTitle = () =>
      c
        .text()
        .join('\n')
        .match(/▸ (\d) /)?.[1];
    t.is(focusedTitle(), '1');
    await c.keys('tab');
    t.is(c.app.focused, 'fingers');
    t.is(focusedTitle(), '2');
    await c.keys('S-tab', 'S-tab');
    t.is(c.app.focused, 'tracker');
    await c.keys('4');
    t.is(c.app.focused, 'log');
    t.is(focusedTitle(), '4');
    // Exactly one pane carries the focus marker.
    t.is(c.text().join('\n').match(/▸ \d /g)!.length, 1);
  } finally {
    c.close();
    await ring.stop();
  }
});

test('? shows the focused pane keys, Esc closes it', async (t) => {
  const ring = await simRing(3);
  const c = openConsole(ring.nodes[0]!);
  try {
    await c.keys('3', '?');
    let s = c.text();
    t.true(find(s, 'Help · Stabilization') >= 0);
    t.true(find(s, 'pause / resume the stabilization timer') >= 0);
    t.true(find(s, 'Everywhere') >= 0);
    // Keys go to the overlay while it is open: 'p' must not pause stabilization.
    await c.keys('p');
    t.false(c.node.stabilization.isPaused());
    await c.keys('escape');
    s = c.text();
    t.is(find(s, 'Help · Stabilization'), -1);
  } finally {
    c.close();
    await ring.stop();
  }
});

test(': runs node commands generically, shows the reply, keeps history, reports errors', async (t) => {
  const ring = await simRing(4);
  let echoed: string[] = [];
  const c = openConsole(ring.nodes[0]!, {
    commands: { echo: async (args) => ((echoed = args), { said: args.join(' '), n: args.length }) },
  });
  try {
    await c.keys(':', 'echo "two words" x', 'enter');
    await waitFor(() => echoed.length > 0);
    t.deepEqual(echoed, ['two words', 'x']);
    let s = c.text();
    t.true(find(s, ':echo "two words" x') >= 0, 'reply overlay titled with the command');
    t.true(find(s, 'said: two words x') >= 0);
    t.true(find(s, 'n: 2') >= 0);
    await c.keys('escape');
    // History: Up recalls the last line.
    await c.keys(':', 'up');
    t.regex(c.text()[47]!, /^:echo "two words" x/);
    await c.keys('escape');
    await c.keys(':', 'nosuch', 'enter');
    await tick(20);
    s = c.text();
    t.regex(s[47]!, /unknown command "nosuch"/);
    t.true(
      s.some((l) => l.includes('ERROR') && l.includes('nosuch')),
      'the error is in the log too',
    );
    // Tab completes command names.
    await c.keys(':', 'looku', 'tab');
    t.regex(c.text()[47]!, /^:lookup /);
    await c.keys('escape');
  } finally {
    c.close();
    await ring.stop();
  }
});

test('re-lays out on resize: grid, tabs at 80x24, too small below 60x18, and back', async (t) => {
  const ring = await simRing(3);
  const c = openConsole(ring.nodes[0]!);
  try {
    t.is(c.app.layout.mode, 'grid');
    c.term.resize(80, 24);
    await tick(10);
    t.is(c.app.layout.mode, 'tabs');
    let s = c.text();
    t.is(s.length, 24);
    t.regex(s[0]!, /1 Ring map.*2 Fingers.*7 Tracker/);
    t.true(s[1]!.includes('1 Ring map'));
    t.is(find(s, 'Finger table'), -1, 'only the focused pane is shown');
    await c.keys('2');
    s = c.text();
    t.true(s[1]!.includes('2 Finger table'));
    t.is(find(s, 'Ring map ·'), -1);
    c.term.resize(50, 15);
    await tick(10);
    s = c.text();
    t.is(c.app.layout.mode, 'too-small');
    t.true(find(s, 'Terminal too small') >= 0);
    t.true(find(s, '50×15') >= 0 && find(s, '60×18') >= 0);
    t.is(find(s, 'Finger table'), -1);
    c.term.resize(160, 48);
    await tick(10);
    s = c.text();
    t.is(c.app.layout.mode, 'grid');
    t.is(find(s, 'Terminal too small'), -1, 'no garbage left from the message');
    t.true(s[0]!.includes('Ring map') && s[0]!.includes('Finger table'));
  } finally {
    c.close();
    await ring.stop();
  }
});

test('renders only when something is dirty', async (t) => {
  const ring = await simRing(3);
  const c = openConsole(ring.nodes[0]!);
  try {
    await c.keys('4'); // the log pane has nothing that ticks; the finger table still ages once a second
    await tick(150);
    const before = c.app.frames;
    await tick(300);
    t.true(c.app.frames - before <= 1, `idle frames: ${c.app.frames - before}`);
    c.node.bus.emit('log:line', { at: Date.now(), level: 'info', topic: 'test', message: 'wake up' });
    await waitFor(() => c.app.frames > before);
    t.true(c.text().some((l) => l.includes('wake up')));
  } finally {
    c.close();
    await ring.stop();
  }
});

test('q quits at once without transfers; destroy restores the terminal', async (t) => {
  const ring = await simRing(2);
  const c = openConsole(ring.nodes[0]!);
  try {
    await c.keys('q');
    t.is(await c.app.closed, 'quit');
    const out = c.term.written();
    t.true(out.includes('\x1b[?1049h'), 'entered the alternate screen');
    t.true(out.lastIndexOf('\x1b[?1049l') > out.lastIndexOf('\x1b[?1049h'), 'left the alternate screen');
    t.true(out.lastIndexOf('\x1b[?25h') > out.lastIndexOf('\x1b[?25l'), 'cursor shown again');
  } finally {
    c.close();
    await ring.stop();
  }
});

test('Ctrl-C quits', async (t) => {
  const ring = await simRing(2);
  const c = openConsole(ring.nodes[0]!);
  try {
    await c.keys('C-c');
    t.is(await c.app.closed, 'interrupt');
  } finally {
    c.close();
    await ring.stop();
  }
});
