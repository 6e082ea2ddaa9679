/**
 * The console's frames are cheap because panes whose text did not change keep last frame's
 * cells (blessed would re-render every element). These tests check that shortcut never leaves
 * anything stale: after each interaction the screen must equal a full pass over every pane
 * (re-applying the current theme marks every pane and the whole screen dirty).
 */
import test from 'ava';
import { openConsole, simRing, type TestConsole } from './helpers.js';

/** Every cell, text and attribute, after a normal frame. */
function cells(c: TestConsole): string[] {
  c.app.renderNow();
  const lines = (c.app.screen as unknown as { lines: [number, string][][] }).lines;
  return lines.map((row) => row.map(([attr, ch]) => `${attr.toString(36)}${ch}`).join('|'));
}

async function sameAsFullRedraw(t: import('ava').ExecutionContext, c: TestConsole, step: string): Promise<void> {
  const incremental = cells(c);
  c.app.setTheme(c.app.theme.name);
  const full = cells(c);
  const diff = incremental.findIndex((row, y) => row !== full[y]);
  const show = (rows: string[]) =>
    rows[diff]
      ?.split('|')
      .map((x) => x.slice(-1))
      .join('');
  t.is(
    diff,
    -1,
    `${step}: row ${diff} differs from a full redraw:\n${show(incremental)}\n${show(full)}\n${incremental[diff]}\n${full[diff]}`,
  );
}

test('panes left unrendered in a frame still show exactly what a full redraw shows', async (t) => {
  const ring = await simRing(6);
  const c = openConsole(ring.nodes[0]!);
  try {
    await sameAsFullRedraw(t, c, 'first frame');
    await c.keys('tab', 'tab');
    await sameAsFullRedraw(t, c, 'focus moved');
    await c.keys('?');
    await sameAsFullRedraw(t, c, 'help open');
    await c.keys('escape');
    await sameAsFullRedraw(t, c, 'help closed');
    await c.keys(':', 'lookup some-key', 'enter');
    await ring.clock.advance(200);
    await c.keys();
    t.true(
      c.text().some((l) => l.includes('owner')),
      'the lookup reply is up',
    );
    await sameAsFullRedraw(t, c, 'lookup reply shown');
    await c.keys('escape');
    await sameAsFullRedraw(t, c, 'reply closed');
    await c.keys(':', 'theme light', 'enter');
    await sameAsFullRedraw(t, c, 'theme switched');
    c.term.resize(100, 30);
    await sameAsFullRedraw(t, c, 'tabs layout');
    await c.keys('5');
    await sameAsFullRedraw(t, c, 'another tab');
    c.term.resize(160, 48);
    await sameAsFullRedraw(t, c, 'grid again');
    // Stabilization rounds arriving while only some panes change.
    await ring.clock.advance(2_000);
    await sameAsFullRedraw(t, c, 'after rounds');
  } finally {
    c.close();
    await ring.stop();
  }
});

test('an idle frame re-renders only the panes whose text changed, not those only marked dirty', async (t) => {
  const ring = await simRing(4);
  const c = openConsole(ring.nodes[0]!);
  try {
    c.app.renderNow();
    // blessed's render stores fresh coordinates in `lpos`; a pane that kept its cells keeps the old object.
    const before = new Map(
      Object.entries(c.app.panes).map(([id, p]) => [id, (p.box as unknown as { lpos: unknown }).lpos]),
    );
    const rendered = () =>
      [...before]
        .filter(([id, lpos]) => {
          const now = (c.app.panes[id as keyof typeof c.app.panes].box as unknown as { lpos: unknown }).lpos;
          before.set(id, now);
          return now !== lpos;
        })
        .map(([id]) => id);
    // Marked dirty, drawn again, same text: blessed is not given it again, and the cells stay.
    c.app.panes.stabilize.markDirty();
    c.app.renderNow();
    t.deepEqual(rendered(), [], 'a pane whose text came out unchanged kept its cells');
    // Its text changes (paused: the pane says so): only that pane is rendered again.
    await c.app.panes.stabilize.keys.find((k) => k.keys.includes('p'))!.run();
    c.app.renderNow();
    t.deepEqual(rendered(), ['stabilize'], 'every other pane kept its cells');
  } finally {
    c.close();
    await ring.stop();
  }
});
