import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import test from 'ava';
import { EventBus } from '../../src/bus/event-bus.js';
import { attachLogSink, minLevel } from '../../src/cli/log-options.js';
import { attachStderrProgress } from '../../src/cli/stderr-progress.js';

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => void (text += d.toString()));
  return { stream, text: () => text };
}

function emitAll(bus: EventBus): void {
  for (const level of ['debug', 'info', 'warn', 'error'] as const)
    bus.emit('log:line', { at: Date.UTC(2025, 0, 1), level, topic: 'tcp', message: `${level} line` });
}

test('log level: --log-level wins, -v means debug, else info', (t) => {
  t.is(minLevel({}), 'info');
  t.is(minLevel({ verbose: true }), 'debug');
  t.is(minLevel({ verbose: true, logLevel: 'warn' }), 'warn');
});

test('log sink: stderr from the level up, --quiet only errors, --log-file JSON lines', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'p2pterm-log-'));
  try {
    const err = collect();
    const bus = new EventBus();
    const sink = attachLogSink(bus, { logLevel: 'warn' }, { stderr: err.stream });
    emitAll(bus);
    await sink.close();
    t.deepEqual(
      err
        .text()
        .trimEnd()
        .split('\n')
        .map((l) => l.split(' ')[1]),
      ['warn', 'error'],
    );

    const quiet = collect();
    const bus2 = new EventBus();
    const file = join(dir, 'log.jsonl');
    const sink2 = attachLogSink(bus2, { quiet: true, logLevel: 'debug', logFile: file }, { stderr: quiet.stream });
    emitAll(bus2);
    await sink2.close();
    t.regex(quiet.text(), /^\S+ error tcp: error line\n$/);
    const lines = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    t.deepEqual(
      lines.map((l) => l.level),
      ['debug', 'info', 'warn', 'error'],
      '--quiet does not thin the file',
    );
    t.deepEqual(lines[1], { at: '2025-01-01T00:00:00.000Z', level: 'info', topic: 'tcp', message: 'info line' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('log sink: an unwritable log file is reported once on stderr', async (t) => {
  const err = collect();
  const bus = new EventBus();
  const sink = attachLogSink(bus, { logFile: '/nonexistent-dir/x/log.jsonl' }, { stderr: err.stream });
  emitAll(bus);
  await sink.close();
  t.is(err.text().match(/cannot write the log file/g)?.length, 1);
  t.regex(err.text(), /info {2}tcp: info line/);
});

test('stderr progress: a line at start, at most one a second, one at the end', (t) => {
  const out = collect();
  const bus = new EventBus();
  let now = 0;
  const off = attachStderrProgress(bus, out.stream, () => now);
  bus.emit('transfer:started', { id: 'a', name: 'big.bin', size: 2 * 1024 ** 2, direction: 'down', sources: ['x'] });
  const progress = (bytes: number) =>
    bus.emit('transfer:progress', { id: 'a', bytes, total: 2 * 1024 ** 2, rateBps: 1024 ** 2, etaSec: 1, sources: [] });
  now = 500;
  progress(1024 ** 2 / 2);
  now = 1_200;
  progress(1024 ** 2);
  now = 1_300;
  progress(1024 ** 2 + 10);
  bus.emit('transfer:finished', {
    id: 'a',
    name: 'big.bin',
    size: 2 * 1024 ** 2,
    direction: 'down',
    ok: true,
    ms: 1500,
  });
  off();
  t.deepEqual(out.text().trimEnd().split('\n'), [
    'get big.bin: started (2.0 MiB from 1 source)',
    'get big.bin: 50% 1.0 MiB/2.0 MiB at 1.0 MiB/s, 1 s left',
    'get big.bin: done, 2.0 MiB in 1.5 s',
  ]);
});
