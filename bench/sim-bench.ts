/**
 * The ring lab's figures (`BENCH=sim`): on the memory transport and virtual time,
 * - 64 concurrent joins into a converged ring of 64: virtual and wall time until the ring is
 *   fully correct (successors, predecessors, every finger);
 * - crash 25% of 128: virtual and wall time until a storm of lookups all succeed with the
 *   right owner (and until the ring is fully correct);
 * - frame time of the lab's ring map at 1,000 and 10,000 nodes on an in-memory screen
 *   (median of 15 frames: the pane redrawn and the screen rendered).
 */
import { PassThrough } from 'node:stream';
import { RingLab } from '../dist/tui/ring-lab.js';
import { openLabConsole } from '../dist/tui/lab-console.js';
import { memorySettings } from '../dist/tui/settings.js';

export async function simBench(opts: { frameSizes?: number[] } = {}): Promise<Record<string, unknown>> {
  const joins = await concurrentJoins();
  log(`64 joins: ${JSON.stringify(joins)}`);
  const crash = await crashQuarter();
  log(`crash 25%: ${JSON.stringify(crash)}`);
  const frames: Record<string, unknown>[] = [];
  for (const n of opts.frameSizes ?? [1_000, 10_000]) {
    frames.push(await ringMapFrame(n));
    log(`frame at ${n}: ${JSON.stringify(frames.at(-1))}`);
  }
  return { concurrentJoins: joins, crash25: crash, ringMapFrames: frames };
}

async function concurrentJoins(): Promise<Record<string, unknown>> {
  const lab = await RingLab.create({ nodes: 64, seed: 21 });
  try {
    await lab.converge(60_000);
    const w0 = performance.now();
    const v0 = lab.clock.now();
    const joined = await lab.addNodes(64);
    const ring = await lab.converge(300_000, { fingers: false, checkEveryMs: 50 });
    const full = await lab.converge(300_000, { checkEveryMs: 50 });
    return {
      start: 64,
      joined,
      nodes: lab.live.length,
      ringCorrectVirtualMs: ring ? lab.clock.now() - v0 - (full?.ms ?? 0) : null,
      fullyCorrectVirtualMs: full ? lab.clock.now() - v0 : null,
      fullyCorrectWallMs: Math.round(performance.now() - w0),
      health: lab.lastHealth,
    };
  } finally {
    await lab.close();
  }
}

async function crashQuarter(): Promise<Record<string, unknown>> {
  const lab = await RingLab.create({ nodes: 128, seed: 22 });
  try {
    await lab.converge(60_000);
    const w0 = performance.now();
    const v0 = lab.clock.now();
    const killed = await lab.crashFraction(0.25);
    let storms = 0;
    let firstStorm: unknown = null;
    // Probe storms; a lookup that meets dead nodes takes timeouts of lab time itself, so the
    // figure is when the first storm that came out clean *started*.
    let clean: { virtualMs: number; wallMs: number } | null = null;
    while (!clean) {
      const [sv, sw] = [lab.clock.now() - v0, Math.round(performance.now() - w0)];
      const s = await lab.storm(200);
      firstStorm ??= { failed: s.failed, wrongOwner: s.wrongOwner, meanHops: s.meanHops };
      storms++;
      if (s.failed === 0 && s.wrongOwner === 0) clean = { virtualMs: sv, wallMs: sw };
      else if (lab.clock.now() - v0 > 300_000) return { killed, error: 'lookups still failing after 300 s' };
      else await lab.clock.advance(250);
    }
    const lookupsOk = { ...clean, storms };
    const full = await lab.converge(300_000, { checkEveryMs: 50 });
    return {
      nodes: 128,
      killed,
      firstStormAfterCrash: firstStorm,
      everyLookupSucceeds: lookupsOk,
      fullyCorrectVirtualMs: full ? lab.clock.now() - v0 : null,
      fullyCorrectWallMs: Math.round(performance.now() - w0),
    };
  } finally {
    await lab.close();
  }
}

async function ringMapFrame(n: number): Promise<Record<string, unknown>> {
  const b0 = performance.now();
  const lab = await RingLab.create({ nodes: n, seed: 23 });
  const buildMs = Math.round(performance.now() - b0);
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined }); // no raw mode in memory
  const output = Object.assign(new PassThrough(), { columns: 160, rows: 48, isTTY: true });
  output.resume();
  const app = openLabConsole(lab, {
    theme: 'dark',
    settings: memorySettings({ mouse: false }),
    caps: { term: 'xterm-256color', unicode: true, colors: 256, noColor: false },
    input,
    output,
    captureStdio: false,
  });
  try {
    const times: number[] = [];
    for (let i = 0; i < 16; i++) {
      if (i % 2 === 1) lab.select({ delta: 1 }); // a different node's view every other frame
      const t = performance.now();
      app.ringMap.markDirty();
      app.renderNow();
      if (i > 0) times.push(performance.now() - t); // the first frame draws every pane
    }
    times.sort((a, b) => a - b);
    const h = lab.checkHealth();
    return {
      nodes: n,
      frameMedianMs: round(times[times.length >> 1]!),
      frameMaxMs: round(times.at(-1)!),
      frames: times.length,
      buildMs,
      healthCheckMs: h.checkMs,
    };
  } finally {
    app.destroy();
    await lab.close();
  }
}

const round = (x: number) => Math.round(x * 100) / 100;
const log = (s: string) => process.stderr.write(`sim: ${s}\n`);

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await simBench(), null, 2));
}
