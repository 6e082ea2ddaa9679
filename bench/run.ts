/**
 * `npm run bench`: every benchmark in one run, printed as one JSON object on stdout
 * (progress on stderr). Pick parts with BENCH=hops,tcp,tracker,console,... (default: all).
 * Each part runs in a process of its own.
 */
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chordHopsBench } from './chord-hops-bench.js';
import { consoleBench } from './console-bench.js';
import { tcpLookupBench } from './tcp-lookup-bench.js';
import { trackerBench } from './tracker-bench.js';
import { transferBench } from './transfer-bench.js';
import { transferEngineBench } from './transfer-engine-bench.js';
import { simBench } from './sim-bench.js';
import { churnBench } from './churn-bench.js';
import { netnsBench } from './netns-bench.js';
import { privateBench } from './private-bench.js';

const parts: Record<string, () => Promise<Record<string, unknown>>> = {
  hops: () => chordHopsBench(),
  tcp: () => tcpLookupBench(),
  tracker: () => trackerBench(),
  transfer: () => transferBench(),
  engine: () => transferEngineBench(),
  console: () => consoleBench(),
  sim: () => simBench(),
  churn: () => churnBench(),
  netns: () => netnsBench(),
  private: () => privateBench(),
};

const wanted = (process.env.BENCH ?? Object.keys(parts).join(',')).split(',').map((s) => s.trim());
const out: Record<string, unknown> = {
  machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
};
if (process.env.BENCH_CHILD) {
  // One part, in this process (see below).
  for (const name of wanted) out[name] = await runPart(name);
} else {
  // Each part in a fresh process, after the disk has settled: a part must not pay for the
  // heap (the 65,536-node ring) or the disk writeback (gigabytes) an earlier one left behind.
  for (const name of wanted) {
    execFileSync('sync');
    await new Promise((r) => setTimeout(r, 1000));
    process.stderr.write(`bench: ${name}...\n`);
    out[name] = await runInChild(name);
  }
}
console.log(JSON.stringify(out, null, 2));

async function runPart(name: string): Promise<Record<string, unknown>> {
  const run = parts[name];
  if (!run) return { error: `unknown part; known: ${Object.keys(parts).join(', ')}` };
  const t = performance.now();
  try {
    return { ...(await run()), wallMs: Math.round(performance.now() - t) };
  } catch (e) {
    return { error: (e as Error).stack ?? String(e) };
  }
}

async function runInChild(name: string): Promise<unknown> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH: name, BENCH_CHILD: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let text = '';
  child.stdout.on('data', (d: Buffer) => (text += d));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  try {
    return (JSON.parse(text) as Record<string, unknown>)[name];
  } catch {
    return { error: `the ${name} part exited with code ${code} without a result` };
  }
}
