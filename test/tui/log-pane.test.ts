import test from 'ava';
import { openConsole, simRing, find } from './helpers.js';
import { LOG_SCROLLBACK } from '../../src/tui/panes/log-pane.js';

test('log: level and topic, thousands of lines of scrollback, / filter, pause follow', async (t) => {
  const ring = await simRing(2);
  const c = openConsole(ring.nodes[0]!, { cols: 80, rows: 24 });
  const bus = c.node.bus;
  const emit = (i: number, level: 'info' | 'warn' | 'debug' | 'error' = 'info', topic = 'chord') =>
    bus.emit('log:line', { at: Date.now(), level, topic, message: `line ${i}` });
  try {
    await c.keys('4');
    for (let i = 0; i < 3000; i++) emit(i, i % 100 === 0 ? 'warn' : 'info', i % 2 ? 'tcp' : 'chord');
    let s = c.text();
    t.true(c.app.log.lineCount >= 3000);
    t.true(s[1]!.includes('4 Log') && /\d{4} lines/.test(s[1]!));
    t.true(
      find(s, /INFO {2}tcp\s+line 2999$/) >= 0 || find(s, /INFO {2}tcp\s+line 2999\s*│/) >= 0,
      'newest line shown, with level and topic',
    );

    // Filter with '/': only matching lines remain.
    await c.keys('/', 'line 1234', 'enter');
    s = c.text();
    t.true(find(s, 'filter "line 1234"') >= 0);
    const shown = s.filter((l) => / line \d+/.test(l));
    t.is(shown.length, 1);
    t.true(shown[0]!.includes('line 1234'));
    await c.keys('/', 'C-u', 'level:warn', 'enter');
    s = c.text();
    const warned = s.filter((l) => / line \d+/.test(l));
    t.true(warned.length >= 10, 'warn lines shown');
    t.true(warned.every((l) => l.includes('WARN')));
    // Esc clears the filter.
    await c.keys('escape');
    t.is(find(c.text(), 'filter "'), -1);

    // Pause following: new lines do not move the view, and are counted.
    await c.keys('f');
    const frozen = c.text().filter((l) => / line \d+/.test(l));
    emit(5000);
    emit(5001);
    s = c.text();
    t.deepEqual(
      s.filter((l) => / line \d+/.test(l)),
      frozen,
    );
    t.true(find(s, 'PAUSED +2 new') >= 0);
    await c.keys('k', 'k');
    t.not(c.text().filter((l) => / line \d+/.test(l))[0], frozen[0], 'scrolled up');
    await c.keys('G');
    t.true(c.app.log.following);
    t.true(find(c.text(), 'line 5001') >= 0);

    // The scrollback is bounded.
    for (let i = 0; i < LOG_SCROLLBACK; i++) emit(10_000 + i, 'debug');
    t.is(c.app.log.lineCount, LOG_SCROLLBACK);
  } finally {
    c.close();
    await ring.stop();
  }
});
