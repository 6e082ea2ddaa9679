/** The console's own overlays: the help, a command's reply, and the question before quitting. */
import type { Widgets } from 'blessed';
import { escapeTags } from './format.js';
import { OverlayBox } from './overlay.js';
import type { Theme } from './theme.js';
import { wrapLine } from './wrap-line.js';

export function helpOverlay(
  screen: Widgets.Screen,
  theme: () => Theme,
  o: { title: string; lines: readonly string[]; onClose: () => void },
): OverlayBox {
  return new OverlayBox(screen, theme, {
    title: o.title,
    lines: o.lines,
    footer: 'Esc/?/q close  j/k scroll',
    closeKeys: ['escape', 'q', '?', 'enter'],
    onClose: o.onClose,
  });
}

/** A command's reply as readable lines (untrusted text: escaped here). */
export function replyOverlay(
  screen: Widgets.Screen,
  theme: () => Theme,
  o: { title: string; lines: readonly string[]; onClose: () => void },
): OverlayBox {
  return new OverlayBox(screen, theme, {
    title: o.title,
    lines: o.lines.map(escapeTags),
    footer: 'Esc/Enter/q close',
    onClose: o.onClose,
  });
}

/** A detail view: plain lines wrapped to the screen's width, so nothing is cut. */
export function detailOverlay(
  screen: Widgets.Screen,
  theme: () => Theme,
  o: { title: string; lines: readonly string[]; onClose: () => void },
): OverlayBox {
  const width = Math.max(20, Number(screen.width) - 8);
  return replyOverlay(screen, theme, { ...o, lines: o.lines.flatMap((l) => wrapLine(l, width)) });
}

/** "Quit anyway?" while transfers run: y quits, n, q and Esc stay. */
export class QuitConfirm extends OverlayBox {
  constructor(
    screen: Widgets.Screen,
    theme: () => Theme,
    o: { running: number; quit: () => void; onClose: () => void },
  ) {
    super(screen, theme, {
      title: 'Quit?',
      lines: [
        `${o.running} transfer${o.running === 1 ? ' is' : 's are'} still running.`,
        'Quit anyway and abandon them?',
      ],
      footer: 'y quit  n/Esc stay',
      closeKeys: ['escape', 'n', 'q'],
      onKey: (name) => (name === 'y' || name === 'Y' ? (o.quit(), true) : false),
      onClose: o.onClose,
    });
  }
}
