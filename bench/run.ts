/**
 * `npm run bench`: every benchmark in one run, printed as one JSON object on stdout
 * (progress on stderr). Pick parts with BENCH=hops,tcp,tracker,console,... (default: all).
 */
import { chordHopsBench } from './chord-hops-bench.js';
import { consoleBench } from './console-bench.js';
import { tcpLookupBench } from './tcp-lookup-bench.js';
import { trackerBench } from './tracker-bench.js';
import { transferBench } from './transfer-bench.js';
import { transferEngineBench } from './transfer-engine-bench.js';
import { simBench } from './sim-bench.js';

const parts: Record<string, () => Promise<Record<string, unknown>>> = {
  hops: () => chordHopsBench(),
  tcp: () => tcpLookupBench(),
  tracker: () => trackerBench(),
  transfer: () => transferBench(),
  engine: () => transferEngineBench(),
  console: () => consoleBench(),
  sim: () => simBench(),
};

const wanted = (process.env.BENCH ?? Object.keys(parts).join(',')).split(',').map((s) => s.trim());
const out: Record<string, unknown> = { machine: { cpus: (await import('node:os')).cpus().length, node: process.version } };
for (const name of wanted) {
  const run = parts[name];
  if (!run) {
    out[name] = { error: `unknown part; known: ${Object.keys(parts).join(', ')}` };
    continue;
  }
  process.stderr.write(`bench: ${name}...\n`);
  const t = performance.now();
  try {
    out[name] = { ...(await run()), wallMs: Math.round(performance.now() - t) };
  } catch (e) {
    out[name] = { error: (e as Error).stack ?? String(e) };
  }
}
console.log(JSON.stringify(out, null, 2));
