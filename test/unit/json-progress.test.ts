import test from 'ava';
import { Writable } from 'node:stream';
import { EventBus } from '../../src/bus/event-bus.js';
import { attachJsonProgress } from '../../src/cli/json-progress.js';

test('headless progress events: JSON lines, the first at once, then at most one a second', (t) => {
  const lines: string[] = [];
  const out = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).trimEnd().split('\n'));
      done();
    },
  });
  const bus = new EventBus();
  let now = 0;
  const off = attachJsonProgress(bus, out, () => now);
  const size = 4 * 1024 ** 2;
  bus.emit('transfer:started', { id: 'a', name: 'big.bin', size, direction: 'down', sources: ['x'] });
  const progress = (bytes: number) =>
    bus.emit('transfer:progress', { id: 'a', bytes, total: size, rateBps: 1024 ** 2 + 0.4, etaSec: 3, sources: [] });
  now = 100;
  progress(1024 ** 2);
  now = 600;
  progress(2 * 1024 ** 2); // within a second of the last line: not printed
  now = 1_200;
  progress(3 * 1024 ** 2);
  bus.emit('transfer:finished', { id: 'a', name: 'big.bin', size, direction: 'down', ok: true, ms: 1500 });
  now = 5_000;
  progress(size); // after the end: nothing
  off();
  const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  t.deepEqual(events, [
    {
      event: 'progress',
      name: 'big.bin',
      direction: 'down',
      bytes: 1024 ** 2,
      total: size,
      rateBps: 1048576,
      etaSec: 3,
    },
    {
      event: 'progress',
      name: 'big.bin',
      direction: 'down',
      bytes: 3 * 1024 ** 2,
      total: size,
      rateBps: 1048576,
      etaSec: 3,
    },
  ]);
});
