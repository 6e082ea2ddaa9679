import test from 'ava';
import { splitOneOff } from '../../src/cli/run-console.js';
import { memorySettings, mergeFlags, SETTING_FIELDS } from '../../src/tui/settings.js';

test('folders and limits given once hold for the run and are not remembered, unless --save', (t) => {
  const store = memorySettings({ dir: '/saved/share' });
  const flags = { theme: 'light', dir: '/once/share', data: '/once/data', maxDown: 1024 };
  const { remembered, oneOff } = splitOneOff(flags, false);
  const s = mergeFlags(store, remembered, undefined, oneOff);
  t.is(s.dir, '/once/share');
  t.is(s.data, '/once/data');
  t.is(s.maxDown, 1024);
  t.is(store.get('dir'), '/saved/share', 'the saved folder stays');
  t.is(store.get('data'), undefined);
  t.is(store.get('maxDown'), undefined);
  t.is(store.get('theme'), 'light', 'other flags are remembered as before');
  t.is(mergeFlags(store, {}).dir, '/saved/share', 'the next start uses the saved folder');

  const saved = splitOneOff(flags, true);
  mergeFlags(store, saved.remembered, undefined, saved.oneOff);
  t.is(store.get('dir'), '/once/share');
  t.is(store.get('maxDown'), 1024);
});

test('settings screen: rate limits and the transfer cap parse like the flags', (t) => {
  const field = (key: string) => SETTING_FIELDS.find((f) => f.key === key)!;
  t.is(field('maxDown').parse('2M'), 2 * 1024 ** 2);
  t.is(field('maxUp').parse('500K'), 500 * 1024);
  t.is(field('maxDown').parse(''), undefined);
  t.throws(() => field('maxUp').parse('fast'), { message: /bytes per second/ });
  t.is(field('maxTransfers').parse('4'), 4);
  t.throws(() => field('maxTransfers').parse('0'), { message: /1\.\.64/ });
});
