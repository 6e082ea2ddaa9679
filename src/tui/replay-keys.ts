/**
 * The replay's keys (they work in every pane): P play/pause, ] and [ one stabilization round
 * forward and back, > and < speed, N the next recorded node; `:jump T` goes to a time. The
 * Stabilization pane's own p, s, + and - drive the replay too (replay-player.ts).
 */
import type { ConsoleApp } from './console-api.js';
import type { CommandFn } from '../commands/command-fn.js';
import { P2pError } from '../wire/errors.js';
import type { KeyBinding } from './keymap.js';
import type { ReplayPlayer } from './replay-player.js';

export function replayKeys(player: ReplayPlayer, app: () => ConsoleApp): KeyBinding[] {
  const act = (f: () => void) => () => (f(), app().say(replayPosition(player)));
  return [
    {
      keys: ['P'],
      help: 'replay: play / pause',
      hint: 'play',
      run: act(() => (player.playing ? player.pause() : player.play())),
    },
    {
      keys: [']'],
      help: 'replay: one stabilization round forward',
      hint: 'round',
      run: act(() => player.stepRound(1)),
    },
    { keys: ['['], help: 'replay: one stabilization round back', run: act(() => player.stepRound(-1)) },
    { keys: ['>'], help: 'replay: twice as fast', run: act(() => (player.speed = Math.min(256, player.speed * 2))) },
    { keys: ['<'], help: 'replay: half as fast', run: act(() => (player.speed = Math.max(1 / 16, player.speed / 2))) },
    { keys: ['N'], help: 'replay: show the next recorded node', run: act(() => void player.nextNode()) },
  ];
}

/** `:jump 12.5` / `:jump 1:02` (from the start of the recording), `:position`. */
export function replayCommands(player: ReplayPlayer): Record<string, CommandFn> {
  return {
    jump: async ([text]) => {
      const ms = text === undefined ? null : parseMoment(text);
      if (ms === null) throw new P2pError('USAGE', 'usage: jump SECONDS or jump MM:SS (from the start)');
      player.jumpTo(player.start + ms);
      return { position: replayPosition(player) };
    },
    position: async () => ({ position: replayPosition(player) }),
  };
}

/** "replay ▶ 00:12.500 of 01:40.000 ×2 n3.sim:4000" */
export function replayPosition(p: ReplayPlayer): string {
  const at = (ms: number) => duration(Math.max(0, ms - p.start));
  return `replay ${p.playing ? '▶' : '‖'} ${at(p.now)} of ${at(p.end)} ×${p.speed} ${p.address}`;
}

/** "12.5" (seconds) or "1:02.5" (minutes and seconds) to ms; null when neither. */
export function parseMoment(text: string): number | null {
  const m = /^\s*(?:(\d+):)?(\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!m) return null;
  return Math.round((Number(m[1] ?? 0) * 60 + Number(m[2])) * 1000);
}

/** mm:ss.mmm */
function duration(ms: number): string {
  const p = (n: number, w = 2) => String(Math.floor(n)).padStart(w, '0');
  return `${p(ms / 60_000)}:${p((ms / 1000) % 60)}.${p(ms % 1000, 3)}`;
}
