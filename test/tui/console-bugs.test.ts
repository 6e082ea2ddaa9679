/** Console bugs found by trying it as a new user would; each test failed before its fix. */
import test from 'ava';
import { memorySettings, mergeFlags } from '../../src/tui/settings.js';
import { CommandRunner } from '../../src/tui/command-runner.js';
import { labCommands } from '../../src/tui/lab-commands.js';
import type { RingLab } from '../../src/tui/ring-lab.js';
import { P2pError } from '../../src/wire/errors.js';
import { SimRing } from '../../src/sim/sim-ring.js';
import { find, openConsole, simRing, tick, waitFor } from './helpers.js';

test('finger table: entries never fixed yet say so instead of an age since 1970', async (t) => {
  const ring = new SimRing({ bits: 16, seed: 1 });
  await ring.addSequential(3);
  const node = ring.nodes[1]!;
  node.stabilization.pause();
  t.true(
    node.snapshot().fingers.every((f) => f.fixedAt < 0),
    'fingers copied at join, none fixed yet',
  );
  const c = openConsole(node);
  try {
    // Drawn at once, before the round that the join's last message starts fixes them.
    const lines = c.text();
    t.true(find(lines, /never/) >= 0, 'never-fixed entries say "never"');
    t.is(find(lines, /\d{3,}d ago/), -1, 'no age counted from the epoch');
  } finally {
    c.close();
    await ring.stop();
  }
});

test('finger table: in a 160-bit ring the starts read n+2^i, not identical leading digits', async (t) => {
  const ring = new SimRing({ bits: 160, seed: 2 });
  await ring.addSequential(4);
  await ring.converge(60_000, { fingers: true });
  const c = openConsole(ring.nodes[0]!);
  try {
    await c.keys('2', 'd');
    const lines = c.text();
    t.true(find(lines, /│\s+0 n\+2\^0 /) >= 0, 'first finger starts at n+2^0');
    t.is(find(lines, /[0-9a-f]{9}…\s+[0-9a-f]{9}…/), -1, 'no start cut to the digits every finger shares');
  } finally {
    c.close();
    await ring.stop();
  }
});

test('q while a get is starting (no transfer registered yet) asks before quitting', async (t) => {
  const ring = await simRing(2);
  let release!: () => void;
  const get = () => new Promise<Record<string, unknown>>((r) => (release = () => r({ name: 'x' })));
  const c = openConsole(ring.nodes[0]!, { commands: { get } });
  try {
    void c.app.runCommand('get big.iso');
    await tick(5);
    t.is(c.app.transfers.activeCount, 0, 'no transfer registered yet');
    await c.keys('q');
    t.true(find(c.text(), /Quit\?/) >= 0, 'asks first');
    let closed = false;
    void c.app.closed.then(() => (closed = true));
    await tick(10);
    t.false(closed);
    await c.keys('y');
    await waitFor(() => closed, 2000, 'quit after y');
  } finally {
    release?.();
    c.close();
    await ring.stop();
  }
});

test('an unknown --theme is reported and never remembered; a stored unknown theme is dropped', (t) => {
  const store = memorySettings();
  const said: string[] = [];
  const s = mergeFlags(store, { theme: 'neon' }, (m) => said.push(m));
  t.is(store.get('theme'), 'dark');
  t.is(s.theme, 'dark');
  t.regex(said.join('\n'), /unknown theme "neon"/);
  const stale = memorySettings({ theme: 'neon' });
  const again: string[] = [];
  t.is(mergeFlags(stale, {}, (m) => again.push(m)).theme, 'dark');
  t.is(again.length, 1);
  t.is(mergeFlags(stale, {}, (m) => again.push(m)).theme, 'dark');
  t.is(again.length, 1, 'reported once, not on every start');
});

test('a lookup storm with wrong answers is reported as a problem, not "storm: ok"', async (t) => {
  const result = { lookups: 1000, failed: 0, wrongOwner: 31 };
  const lab = { storm: async () => result } as unknown as RingLab;
  const said: [string, string | undefined][] = [];
  const logged: string[] = [];
  const runner = new CommandRunner({
    commands: labCommands(lab),
    builtins: {},
    log: (level, m) => logged.push(`${level} ${m}`),
    say: (text, level) => said.push([text, level]),
    showReply: () => undefined,
  });
  await runner.run('storm');
  const [text, level] = said.at(-1)!;
  t.is(level, 'error');
  t.regex(text, /storm: 31 of 1000 lookups answered a wrong owner, 0 failed/);
  t.false(logged.some((l) => l.includes('storm: ok')));
  // A clean storm still reads ok.
  result.wrongOwner = 0;
  await runner.run('storm');
  t.deepEqual(said.at(-1), ['storm: ok', undefined]);
});

test('error codes read as codes, not as optional arguments; one line is "1 line"', async (t) => {
  const said: string[] = [];
  const logged: string[] = [];
  const runner = new CommandRunner({
    commands: {
      lookup: async () => {
        throw new P2pError('USAGE', 'usage: lookup KEY');
      },
      one: async () => ({ answer: 42 }),
    },
    builtins: {},
    log: (_level, m) => logged.push(m),
    say: (text) => said.push(text),
    showReply: () => undefined,
  });
  await runner.run('lookup');
  t.is(said.at(-1), 'lookup: usage: lookup KEY (code USAGE)');
  await runner.run('one');
  t.true(logged.includes('one: ok (1 line)'), logged.join('\n'));
});
