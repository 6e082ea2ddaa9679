/** The console on a recording: rounds forward and back, jump; the panes show the node as it was. */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordable } from '../../src/dht/recordable-node.js';
import { BusRecorder } from '../../src/io/bus-recorder.js';
import { SimRing } from '../../src/sim/sim-ring.js';
import { createConsole } from '../../src/tui/app.js';
import { readRecording, indexAtTime, stateAt } from '../../src/tui/replay-model.js';
import { ReplayPlayer } from '../../src/tui/replay-player.js';
import { replayCommands, replayKeys } from '../../src/tui/replay-keys.js';
import { memorySettings } from '../../src/tui/settings.js';
import { fakeTerminal, screenLines, tick, UNICODE_256 } from './helpers.js';

async function recordRing(path: string) {
  const ring = new SimRing({ bits: 16, seed: 21 });
  await ring.addSequential(3);
  await ring.converge(60_000, { fingers: true });
  const recorder = new BusRecorder(path);
  const node = await ring.spawn();
  recorder.watch(recordable(node));
  await ring.clock.advance(100);
  await node.join(ring.nodes[0]!.self.address);
  await ring.clock.advance(3000);
  const joinedAt = ring.clock.now();
  const joined = node.snapshot();
  const succ = ring.live.find((n) => n.self.address === joined.successors[0]!.address)!;
  await ring.crash(succ);
  await ring.converge(60_000, { fingers: true });
  recorder.close();
  const healed = node.snapshot();
  await ring.stop();
  return { address: node.self.address, joinedAt, joined, healed };
}

test('replay: ] steps rounds forward, [ steps back, :jump goes to a time; panes follow the recorded state', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'p2pterm-replay-'));
  const path = join(dir, 'node.rec');
  const live = await recordRing(path);
  const rec = readRecording(path);
  const term = fakeTerminal(160, 48);
  let app: ReturnType<typeof createConsole> | null = null;
  const player = new ReplayPlayer(rec, live.address, (node) => app?.showNode(node));
  app = createConsole({
    node: player.node,
    commands: replayCommands(player),
    theme: 'dark',
    settings: memorySettings({ mouse: false }),
    caps: UNICODE_256,
    input: term.input,
    output: term.output,
    captureStdio: false,
    keys: replayKeys(player, () => app!),
  });
  const text = () => (app!.renderNow(), screenLines(app!.screen).join('\n'));
  const rounds = () => Number(/rounds\s+(\d+)/.exec(text())![1]);
  const key = async (k: string) => (term.input.write(k), await tick(5));
  try {
    t.is(player.snapshot().successors[0]!.address, live.address, 'alone at first');
    for (let i = 0; i < 3; i++) await key(']');
    t.is(rounds(), 3, 'three rounds (or notifies) forward');
    const after3 = player.index;
    await key('[');
    t.is(rounds(), 2, 'one back: the panes start over and show two');
    t.true(player.index < after3);
    await key(']');
    t.is(player.index, after3, 'and forward again to the same place');

    await app.runCommand(`jump ${(live.joinedAt - player.start) / 1000}`);
    const at = stateAt(rec, live.address, indexAtTime(rec, live.joinedAt))!;
    t.is(at.successors[0]!.address, live.joined.successors[0]!.address);
    t.is(player.snapshot().successors[0]!.address, live.joined.successors[0]!.address);
    t.regex(
      text(),
      new RegExp(`succ ${live.joined.successors[0]!.id.slice(0, 4)}`),
      'status bar shows the successor then',
    );
    t.true(text().includes(live.joined.fingers.at(-1)!.node.address), 'finger table as it was');

    await app.runCommand(`jump ${(player.end - player.start) / 1000 + 1}`);
    t.is(player.snapshot().successors[0]!.address, live.healed.successors[0]!.address, 'healed at the end');
    t.not(live.healed.successors[0]!.address, live.joined.successors[0]!.address);
    t.regex(text(), new RegExp(`succ ${live.healed.successors[0]!.id.slice(0, 4)}`));
  } finally {
    player.close();
    app.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
