import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { defaultLogFileName, logText } from '../../src/tui/log-save.js';
import { find, openConsole, simRing, waitFor } from './helpers.js';

test('log save: file name from the local time, one text line per log line', (t) => {
  t.is(defaultLogFileName(new Date(2025, 0, 2, 15, 4, 5)), 'p2pterm-log-20250102-150405.txt');
  const text = logText([
    { at: Date.UTC(2025, 0, 2), level: 'warn', topic: 'tcp', message: 'a' },
    { at: Date.UTC(2025, 0, 2, 0, 0, 1), level: 'info', topic: 'chord', message: 'b' },
  ]);
  t.is(text, '2025-01-02T00:00:00.000Z warn  tcp: a\n2025-01-02T00:00:01.000Z info  chord: b\n');
});

test('log pane: w writes the whole scrollback to the typed path and says where', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'p2pterm-logsave-'));
  const ring = await simRing(2);
  const c = openConsole(ring.nodes[0]!, { cols: 100, rows: 24 });
  try {
    for (let i = 0; i < 50; i++)
      c.node.bus.emit('log:line', { at: Date.now(), level: 'info', topic: 'test', message: `saved line ${i}` });
    const before = c.app.log.lineCount;
    await c.keys('4', 'w', 'C-u', join(dir, 'out.txt'), 'enter');
    await waitFor(() => find(c.text(), 'log: saved') >= 0, 3000, 'the saved message');
    const saved = readFileSync(join(dir, 'out.txt'), 'utf8').trimEnd().split('\n');
    t.is(saved.length, before);
    t.true(saved.some((l) => l.endsWith('info  test: saved line 49')));
    t.true(find(c.text(), `saved ${before} lines to ${join(dir, 'out.txt')}`) >= 0);

    // A folder that does not exist: an error on the bottom line, nothing thrown.
    await c.keys('w', 'C-u', join(dir, 'missing', 'x.txt'), 'enter');
    await waitFor(() => find(c.text(), 'cannot save') >= 0, 3000, 'the error');
    t.true(find(c.text(), `cannot save to ${join(dir, 'missing', 'x.txt')}`) >= 0);
  } finally {
    c.close();
    await ring.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
