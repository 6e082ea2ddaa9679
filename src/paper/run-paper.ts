/**
 * Runs the six experiments of `p2pterm paper` in turn and gathers every number (and how long
 * each experiment took) into one PaperResults value: what results.json holds and what the
 * charts and the summary are drawn from.
 */
import { loadBalance, type LoadPoint, type VirtualPoint } from './load-balance.js';
import { lookupsUnderChurn, type ChurnPoint } from './lookups-under-churn.js';
import type { PaperConfig } from './paper-config.js';
import { binomialHalf, PAPER } from './paper-values.js';
import { pathLengths, type PathLengthPoint } from './path-length.js';
import { simultaneousFailures, type FailurePoint } from './simultaneous-failures.js';
import { mean } from './summary-stats.js';

export interface AveragedLoad {
  readonly keys: number;
  readonly mean: number;
  readonly p1: number;
  readonly p99: number;
  readonly max: number;
}

export interface AveragedVirtual {
  readonly virtualNodes: number;
  readonly p1OverMean: number;
  readonly p99OverMean: number;
}

export interface PathPdf {
  readonly nodes: number;
  readonly lookups: number;
  /** pdf[k] = fraction of lookups with path length k. */
  readonly pdf: number[];
  /** The paper's explanation: Binomial(log₂N, ½). */
  readonly model: number[];
  readonly meanPath: number;
}

export interface PaperResults {
  readonly config: PaperConfig;
  readonly node: string;
  readonly keysPerNode: { readonly points: LoadPoint[]; readonly averaged: AveragedLoad[] };
  readonly virtualNodes: { readonly points: VirtualPoint[]; readonly averaged: AveragedVirtual[] };
  readonly pathLength: { readonly points: PathLengthPoint[] };
  readonly pathPdf: PathPdf;
  readonly failures: { readonly points: FailurePoint[] };
  readonly churn: { readonly points: ChurnPoint[] };
  /** Wall-clock ms per experiment. */
  readonly wallMs: Record<string, number>;
  readonly paper: typeof PAPER;
}

export type Progress = (line: string) => void;

export async function runPaper(config: PaperConfig, progress: Progress = () => undefined): Promise<PaperResults> {
  const wallMs: Record<string, number> = {};
  const timed = async <T>(name: string, fn: () => T | Promise<T>): Promise<T> => {
    const t0 = performance.now();
    progress(`${name}: running`);
    const out = await fn();
    wallMs[name] = Math.round(performance.now() - t0);
    progress(`${name}: done in ${(wallMs[name] / 1000).toFixed(1)} s`);
    return out;
  };
  const load = await timed('load balance (1, 2)', () => loadBalance({ ...config.load }));
  const path = await timed('path length (3, 4)', () => runPathLength(config, progress));
  const failures = await timed('simultaneous failures (5)', () => runFailures(config, progress));
  const churn = await timed('churn (6)', () => runChurn(config, progress));
  return {
    config,
    node: process.version,
    keysPerNode: { points: load.keysPerNode, averaged: averageLoad(load.keysPerNode) },
    virtualNodes: { points: load.virtualNodes, averaged: averageVirtual(load.virtualNodes) },
    pathLength: { points: path },
    pathPdf: pathPdf(path, config.path.pdfExponent),
    failures: { points: failures },
    churn: { points: churn },
    wallMs,
    paper: PAPER,
  };
}

function runPathLength(c: PaperConfig, progress: Progress): Promise<PathLengthPoint[]> {
  return pathLengths({
    sizes: c.path.exponents.map((k) => 2 ** k),
    lookups: c.path.lookups,
    seed: c.seed,
    onPoint: (p) => progress(`  N=${p.nodes}: mean path ${p.path.mean.toFixed(2)} (½·log₂N ${p.halfLog2N})`),
  });
}

function runFailures(c: PaperConfig, progress: Progress): Promise<FailurePoint[]> {
  return simultaneousFailures({
    ...c.failures,
    seed: c.seed,
    onPoint: (p) =>
      progress(`  p=${p.failed}: failed ${pct(p.noReplication)} without replication, ${pct(p.withReplication)} with`),
  });
}

function runChurn(c: PaperConfig, progress: Progress): Promise<ChurnPoint[]> {
  return lookupsUnderChurn({
    ...c.churn,
    seed: c.seed,
    onPoint: (p) =>
      progress(
        `  R=${p.rate}/s: failed ${pct(p.withoutRetries.fraction)} without retries, ${pct(p.withRetries.fraction)} with`,
      ),
  });
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

/** Per total key count, the mean over seeds of each statistic. */
export function averageLoad(points: readonly LoadPoint[]): AveragedLoad[] {
  const sizes = [...new Set(points.map((p) => p.keys))].sort((a, b) => a - b);
  return sizes.map((keys) => {
    const at = points.filter((p) => p.keys === keys);
    return {
      keys,
      mean: mean(at.map((p) => p.mean)),
      p1: mean(at.map((p) => p.p1)),
      p99: mean(at.map((p) => p.p99)),
      max: mean(at.map((p) => p.max)),
    };
  });
}

/** Per virtual-node count, the mean over seeds of the 1st and 99th percentile over the mean. */
export function averageVirtual(points: readonly VirtualPoint[]): AveragedVirtual[] {
  const counts = [...new Set(points.map((p) => p.virtualNodes))].sort((a, b) => a - b);
  return counts.map((v) => {
    const at = points.filter((p) => p.virtualNodes === v);
    return {
      virtualNodes: v,
      p1OverMean: mean(at.map((p) => p.p1OverMean)),
      p99OverMean: mean(at.map((p) => p.p99OverMean)),
    };
  });
}

function pathPdf(points: readonly PathLengthPoint[], exponent: number): PathPdf {
  const at = points.find((p) => p.nodes === 2 ** exponent) ?? points[points.length - 1]!;
  return {
    nodes: at.nodes,
    lookups: at.lookups,
    pdf: at.histogram.map((c) => c / at.lookups),
    model: binomialHalf(Math.round(Math.log2(at.nodes))),
    meanPath: at.path.mean,
  };
}
