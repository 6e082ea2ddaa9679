import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeFlags, openSettings, settingsPath } from '../../src/tui/settings.js';
import { attrAt, openConsole, simRing, find, waitFor } from './helpers.js';

function tempDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'p2pterm-conf-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

test('settings live under P2PTERM_CONFIG_DIR; flags win and are remembered', async (t) => {
  const dir = tempDir();
  try {
    const store = openSettings({ P2PTERM_CONFIG_DIR: dir.path });
    t.true(store.path!.startsWith(dir.path));
    let s = mergeFlags(store, {});
    t.is(s.theme, 'dark');
    t.is(s.refreshHz, 10);
    t.is(s.join, undefined);
    s = mergeFlags(store, { theme: 'light', join: '10.0.0.1:5500', stabilizeMs: 250 });
    t.is(s.theme, 'light');
    await store.flush();
    // A later run without flags gets the remembered values.
    const again = mergeFlags(openSettings({ P2PTERM_CONFIG_DIR: dir.path }), {});
    t.is(again.theme, 'light');
    t.is(again.join, '10.0.0.1:5500');
    t.is(again.stabilizeMs, 250);
    // Flags override what was remembered.
    const third = openSettings({ P2PTERM_CONFIG_DIR: dir.path });
    t.is(mergeFlags(third, { theme: 'mono' }).theme, 'mono');
    await third.flush();
    const file = JSON.parse(readFileSync(store.path!, 'utf8'));
    t.is(file.theme, 'mono');
  } finally {
    dir.remove();
  }
});

test('a hand-broken settings file reads as defaults instead of crashing', (t) => {
  const dir = tempDir();
  try {
    const store = openSettings({ P2PTERM_CONFIG_DIR: dir.path });
    writeFileSync(store.path!, JSON.stringify({ theme: 42, refreshHz: 'fast', history: 'x' }));
    const s = mergeFlags(openSettings({ P2PTERM_CONFIG_DIR: dir.path }), {});
    t.is(s.theme, 'dark');
    t.is(s.refreshHz, 10);
    t.deepEqual(s.history, []);
  } finally {
    dir.remove();
  }
});

test('settings view: see and edit; theme applies live and is saved', async (t) => {
  const dir = tempDir();
  const ring = await simRing(2);
  const store = openSettings({ P2PTERM_CONFIG_DIR: dir.path });
  const c = openConsole(ring.nodes[0]!, { settings: store });
  try {
    await c.keys(',');
    let s = c.text();
    t.true(find(s, ' Settings ') >= 0);
    t.true(find(s, /▸ Theme\s+dark/) >= 0);
    t.true(find(s, /Refresh rate \(fps\)\s+10/) >= 0);
    t.true(find(s, store.path!.slice(0, 30)) >= 0 || find(s, 'saved in') >= 0);
    await c.keys('enter', 'C-u', 'mono', 'enter');
    await waitFor(() => c.app.theme.name === 'mono', 1000, 'theme applied');
    await store.flush();
    t.is(openSettings({ P2PTERM_CONFIG_DIR: dir.path }).get('theme'), 'mono');
    s = c.text();
    t.true(find(s, /▸ Theme\s+mono/) >= 0);
    // Mono: no colour anywhere on screen (fg and bg are the terminal defaults).
    const lines = s.length;
    for (let y = 0; y < lines; y += 3)
      for (let x = 0; x < 160; x += 7) {
        const a = attrAt(c.app.screen, x, y);
        t.is((a >> 9) & 0x1ff, 0x1ff, `fg at ${x},${y}`);
        t.is(a & 0x1ff, 0x1ff, `bg at ${x},${y}`);
      }
    // A bad value is refused with a message, nothing saved.
    await c.keys('j', 'j', 'j', 'j', 'j', 'enter', 'C-u', '999', 'enter');
    t.regex(c.text()[47]!, /Refresh rate \(fps\): expected an integer in 1\.\.60/);
    t.is(store.get('refreshHz'), 10);
    await c.keys('escape');
    t.is(find(c.text(), ' Settings '), -1);
    // :set and :theme do the same from the command line.
    await c.keys(':', 'set stabilizeMs 800', 'enter');
    await waitFor(() => c.node.stabilization.intervalMs() === 800);
    t.is(store.get('stabilizeMs'), 800);
  } finally {
    c.close();
    await ring.stop();
    dir.remove();
  }
});

test('the settings file is the one conf itself would use, with or without P2PTERM_CONFIG_DIR', async (t) => {
  const dir = tempDir();
  const saved = process.env.XDG_CONFIG_HOME;
  try {
    const { default: Conf } = await import('conf');
    process.env.XDG_CONFIG_HOME = dir.path;
    // The folder is `p2pterm` (conf's default would be `p2pterm-nodejs`).
    t.is(settingsPath({ XDG_CONFIG_HOME: dir.path }), new Conf({ projectName: 'p2pterm', projectSuffix: '' }).path);
    t.is(settingsPath({ XDG_CONFIG_HOME: dir.path }), join(dir.path, 'p2pterm', 'config.json'));
    t.is(
      settingsPath({ P2PTERM_CONFIG_DIR: join(dir.path, 'x') }),
      new Conf({ projectName: 'p2pterm', projectSuffix: '', cwd: join(dir.path, 'x') }).path,
    );
  } finally {
    if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
    else process.env.XDG_CONFIG_HOME = saved;
    dir.remove();
  }
});

test('an old p2pterm-nodejs settings file is read once when the new one is absent', (t) => {
  const dir = tempDir();
  const saved = process.env.XDG_CONFIG_HOME;
  try {
    process.env.XDG_CONFIG_HOME = dir.path;
    mkdirSync(join(dir.path, 'p2pterm-nodejs'), { recursive: true });
    writeFileSync(
      join(dir.path, 'p2pterm-nodejs', 'config.json'),
      JSON.stringify({ theme: 'light', join: '10.0.0.9:5500' }),
    );
    const store = openSettings({});
    t.is(store.path, join(dir.path, 'p2pterm', 'config.json'));
    t.is(store.get('join'), '10.0.0.9:5500');
    t.true(existsSync(join(dir.path, 'p2pterm', 'config.json')), 'copied to the new folder');
    writeFileSync(join(dir.path, 'p2pterm-nodejs', 'config.json'), JSON.stringify({ join: '10.0.0.1:1' }));
    t.is(openSettings({}).get('join'), '10.0.0.9:5500', 'the new file wins once it exists');
  } finally {
    if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
    else process.env.XDG_CONFIG_HOME = saved;
    dir.remove();
  }
});
