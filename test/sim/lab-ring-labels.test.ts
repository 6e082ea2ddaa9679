/** The lab's ring map keeps labels readable: no neighbour's marker or line is drawn over them. */
import test from 'ava';
import { DotCanvas } from '../../src/tui/dot-canvas.js';
import { shortId } from '../../src/tui/format.js';
import { RingLab } from '../../src/tui/ring-lab.js';
import { buildTheme } from '../../src/tui/theme.js';
import { screenLines, tick, labConsoleOn } from '../tui/helpers.js';

test('the selected node label stays whole on a crowded ring, whichever node is selected', async (t) => {
  const lab = await RingLab.create({ nodes: 48, bits: 24, seed: 4 });
  const { app, term } = labConsoleOn(lab);
  try {
    const hidden: string[] = [];
    for (let i = 0; i < 48; i++) {
      app.renderNow();
      const label = `sel ${shortId(lab.selected.self.id.toString(16), 6, '…')}`;
      // The map's rows: everything above the lab info lines and the status bar.
      if (!screenLines(app.screen).some((l) => l.includes(label))) hidden.push(label);
      term.input.write('J');
      await tick();
    }
    t.deepEqual(hidden, [], 'every selected node label is readable');
  } finally {
    app.destroy();
    await lab.close();
  }
});

test('a line drawn across a label leaves its text and colour alone', (t) => {
  for (const unicode of [true, false]) {
    const c = new DotCanvas(12, 3, unicode);
    c.text(2, 1, 'sel 1a2b', 'selected');
    c.line(0, 3, 12, 3, 'finger');
    t.is(c.toPlain()[1]!.slice(2, 10), 'sel 1a2b');
    const theme = buildTheme('test', 256, { selected: 'red', finger: 'blue' });
    const tagged = c.toLines(theme)[1]!;
    // A space in a label carries no colour of its own.
    t.true(tagged.includes(`${theme.tag('selected', 'sel')} ${theme.tag('selected', '1a2b')}`), tagged);
  }
});
