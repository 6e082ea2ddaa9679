/** The service's small parts: command suggestions, rate parsing, the replay history, socket paths. */
import test from 'ava';
import { controlSocketPath, daemonName } from '../../src/cli/control-socket-path.js';
import { didYouMean, unknownCommandMessage } from '../../src/cli/did-you-mean.js';
import { EventHistory } from '../../src/cli/event-history.js';
import { rateOption } from '../../src/cli/rate-option.js';

test('did you mean: close names, swaps, nothing for far ones', (t) => {
  const names = ['state', 'lookup', 'put', 'get', 'share', 'search', 'keys'];
  t.deepEqual(didYouMean('stat', names), ['state']);
  t.deepEqual(didYouMean('lokoup', names), ['lookup']);
  t.deepEqual(didYouMean('xyzzy', names), []);
  t.regex(unknownCommandMessage('xyzzy', names), /commands: state, lookup/);
});

test('rates: units, decimals, zero; junk is refused', (t) => {
  const parse = rateOption('--max-down');
  t.is(parse('500K'), 500 * 1024);
  t.is(parse('1.5MB/s'), 1.5 * 1024 * 1024);
  t.is(parse('0'), 0);
  t.throws(() => parse('fast'));
});

test('history: bounded per kind, latest of states, progress only while running, in order', (t) => {
  const h = new EventHistory();
  for (let i = 0; i < 1005; i++) h.record('log:line', { at: i, level: 'info', topic: 't', message: String(i) });
  h.record('tracker:state', { state: 'connecting', address: 'a:1' });
  h.record('tracker:state', { state: 'connected', address: 'a:1' });
  h.record('transfer:progress', { id: 't1', bytes: 1 });
  h.record('transfer:progress', { id: 't1', bytes: 2 });
  h.record('transfer:progress', { id: 't2', bytes: 5 });
  h.record('transfer:finished', { id: 't2', ok: true });
  const r = h.replay();
  const logs = r.filter((e) => e.name === 'log:line');
  t.is(logs.length, 1000);
  t.is((logs[0]!.payload as { message: string }).message, '5');
  t.deepEqual(
    r.filter((e) => e.name === 'tracker:state').map((e) => (e.payload as { state: string }).state),
    ['connected'],
  );
  t.deepEqual(
    r.filter((e) => e.name === 'transfer:progress').map((e) => e.payload),
    [{ id: 't1', bytes: 2 }],
  );
  t.is(r.at(-1)!.name, 'transfer:finished');
});

test('socket path: runtime dir, else the data dir; names are file-safe', (t) => {
  t.is(controlSocketPath('a', { XDG_RUNTIME_DIR: '/run/user/7' }), '/run/user/7/p2pterm/a.sock');
  t.is(controlSocketPath('a', { XDG_DATA_HOME: '/d' }), '/d/p2pterm/run/a.sock');
  t.is(daemonName('lab-2'), 'lab-2');
  t.throws(() => daemonName('../x'));
  t.throws(() => daemonName('.hidden'));
});
