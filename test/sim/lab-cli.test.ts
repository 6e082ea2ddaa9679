/** `p2pterm sim --headless --json`: well-formed figures on stdout, exit code 0. */
import test from 'ava';
import { spawn } from 'node:child_process';

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import=tsx', 'src/cli/main.ts', 'sim', ...args], { cwd: process.cwd() });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

test('headless --json: build, converge, storm, crash 25% and join 16, one JSON object per line', async (t) => {
  const { code, out, err } = await run([
    '--headless',
    '--json',
    '--nodes',
    '64',
    '--crash',
    '0.25',
    '--join',
    '16',
    '--lookups',
    '300',
    '--seed',
    '3',
  ]);
  t.is(code, 0, err);
  const lines = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  t.deepEqual(
    lines.map((l) => `${l.event}${l.phase ? ':' + l.phase : ''}`),
    [
      'built',
      'converged:build',
      'storm:baseline',
      'disturbed:join',
      'converged:join',
      'storm:join',
      'disturbed:crash',
      'converged:crash',
      'storm:crash',
      'done',
    ],
  );
  t.is(lines[0]!.nodes, 64);
  for (const s of lines.filter((l) => l.event === 'storm')) {
    const hist = s.histogram as number[];
    t.is(hist.reduce((a, b) => a + b, 0) + (s.failed as number), 300, 'every lookup counted once');
    t.true(typeof s.meanHops === 'number' && (s.meanHops as number) > 0 && (s.meanHops as number) < 6);
    t.is(s.expectedLabel, '½·log₂N');
    t.is(s.wrongOwner, 0);
  }
  const crash = lines.find((l) => l.event === 'converged' && l.phase === 'crash')!;
  t.is((crash.health as { nodes: number }).nodes, 80 - 20, '25% of 80 crashed');
  t.true((crash.ringMs as number) > 0 && (crash.fingersMs as number) >= (crash.ringMs as number));
  t.true((crash.health as { correct: boolean }).correct);
  t.true(typeof crash.ringWallMs === 'number');
});

test('headless --json on a naive ring with latency: N/2 reference, figures in lab time', async (t) => {
  const { code, out, err } = await run([
    '--headless',
    '--json',
    '--nodes',
    '24',
    '--routing',
    'naive',
    '--latency',
    '5',
    '--lookups',
    '100',
  ]);
  t.is(code, 0, err);
  const lines = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const storm = lines.filter((l) => l.event === 'storm').at(-1)!;
  t.is(storm.expectedLabel, 'N/2');
  t.is(storm.expectedHops, 12);
  t.true((storm.virtualMs as number) > 0, 'lookups took virtual time with 5 ms latency');
  t.is(lines.at(-1)!.event, 'done');
});

test('bad flags are refused with exit code 2 (a usage error)', async (t) => {
  const { code, err } = await run(['--headless', '--crash', '2']);
  t.is(code, 2);
  t.regex(err, /--crash must be a fraction/);
});

test('headless --json --vnodes 4: a ring of hosts; --crash takes whole hosts, lookups find their owners', async (t) => {
  const { code, out, err } = await run([
    '--headless',
    '--json',
    '--nodes',
    '6',
    '--vnodes',
    '4',
    '--crash',
    '0.5',
    '--lookups',
    '200',
    '--seed',
    '5',
  ]);
  t.is(code, 0, err);
  const lines = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  t.like(lines[0], { event: 'built', nodes: 24, hosts: 6, vnodes: 4 });
  const crash = lines.find((l) => l.event === 'disturbed' && l.phase === 'crash')!;
  t.is(crash.detail, '3 hosts × 4', 'half of the hosts crashed');
  const healed = lines.find((l) => l.event === 'converged' && l.phase === 'crash')!;
  t.like(healed.health, { nodes: 12, correct: true });
  for (const s of lines.filter((l) => l.event === 'storm')) t.like(s, { failed: 0, wrongOwner: 0 });
});

test('--vnodes is refused with --transport tcp and out of range (usage errors)', async (t) => {
  const tcp = await run(['--headless', '--vnodes', '4', '--transport', 'tcp']);
  t.is(tcp.code, 2);
  t.regex(tcp.err, /--vnodes needs --transport memory/);
  const big = await run(['--headless', '--vnodes', '64']);
  t.is(big.code, 2);
  t.regex(big.err, /--vnodes/);
});
