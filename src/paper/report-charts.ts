/**
 * The six charts of the report, each p2pterm's measured series beside the paper's published
 * value(s), with the setup (N, keys, seeds) as its subtitle and caption.
 */
import type { TopLevelSpec } from 'vega-lite';
import { PAPER, paperChurnEstimate } from './paper-values.js';
import type { PaperResults } from './run-paper.js';
import { seriesChart, type Row } from './series-chart.js';

export interface ChartDef {
  /** File-name-safe id (charts/<id>.svg). */
  readonly id: string;
  readonly title: string;
  /** The setup line shown under the chart. */
  readonly setup: string;
  /** What the paper published, and where. */
  readonly paper: string;
  readonly spec: TopLevelSpec;
}

const fmt = (n: number) => n.toLocaleString('en-US');
const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';
/** 2 to the k, written 2ᵏ. */
export const pow2 = (k: number) => `2${[...String(k)].map((d) => SUPERSCRIPT[Number(d)]).join('')}`;
const seedsText = (seeds: readonly number[]) =>
  seeds.length === 1 ? `seed ${seeds[0]}` : `${seeds.length} seeds (${seeds[0]}–${seeds[seeds.length - 1]})`;

export function reportCharts(r: PaperResults): ChartDef[] {
  return [keysPerNode(r), virtualNodes(r), pathLength(r), pathPdf(r), failures(r), churn(r)];
}

function chart(id: string, title: string, setup: string, paper: string, spec: Parameters<typeof seriesChart>[0]) {
  return { id, title, setup, paper, spec: seriesChart(spec) };
}

function keysPerNode(r: PaperResults): ChartDef {
  const c = r.config.load;
  const rows: Row[] = r.keysPerNode.averaged.flatMap((p) => [
    { x: p.keys, y: p.p99, series: 'p2pterm: 99th percentile', source: 'p2pterm' as const },
    { x: p.keys, y: p.mean, series: 'p2pterm: mean', source: 'p2pterm' as const },
    { x: p.keys, y: p.p1, series: 'p2pterm: 1st percentile', source: 'p2pterm' as const },
    {
      x: p.keys,
      y: PAPER.keysPerNode.p99OverMean * p.mean,
      series: 'paper: 99th ≈ 4.6 × mean',
      source: 'paper' as const,
    },
    { x: p.keys, y: PAPER.keysPerNode.p1, series: 'paper: 1st percentile = 0', source: 'paper' as const },
  ]);
  const setup = `N = ${fmt(c.nodes)} nodes; ${fmt(Math.min(...c.keyCounts))}–${fmt(Math.max(...c.keyCounts))} keys; ${seedsText(c.seeds)}`;
  return chart('keys-per-node', '1. Keys per node vs total keys', setup, PAPER.keysPerNode.source.cite, {
    title: '1. Keys per node vs total keys',
    subtitle: setup,
    x: { title: 'total keys' },
    y: { title: 'keys per node' },
    rows,
  });
}

function virtualNodes(r: PaperResults): ChartDef {
  const c = r.config.load;
  const rows: Row[] = r.virtualNodes.averaged.flatMap((p) => [
    { x: p.virtualNodes, y: p.p99OverMean, series: 'p2pterm: 99th percentile / mean', source: 'p2pterm' as const },
    { x: p.virtualNodes, y: p.p1OverMean, series: 'p2pterm: 1st percentile / mean', source: 'p2pterm' as const },
  ]);
  for (const v of [1, 20]) {
    rows.push({
      x: v,
      y: PAPER.virtualNodes.p99OverMean[v]!,
      series: 'paper: 99th / mean (4.8×, 1.6×)',
      source: 'paper',
      pointOnly: true,
    });
    rows.push({
      x: v,
      y: PAPER.virtualNodes.p1OverMean[v]!,
      series: 'paper: 1st / mean (0, 0.5×)',
      source: 'paper',
      pointOnly: true,
    });
  }
  const setup = `${fmt(c.nodes)} hosts; ${fmt(c.virtualKeys)} keys; virtual nodes ${c.virtualNodes.join(', ')}; ${seedsText(c.seeds)}`;
  return chart('virtual-nodes', '2. Load with virtual nodes', setup, PAPER.virtualNodes.source.cite, {
    title: '2. Keys per host with virtual nodes (relative to the mean)',
    subtitle: setup,
    x: { title: 'virtual nodes per host', log: 10, format: 'd' },
    y: { title: 'keys per host / mean', format: '.1f' },
    rows,
  });
}

function pathLength(r: PaperResults): ChartDef {
  const pts = r.pathLength.points;
  const rows: Row[] = pts.flatMap((p) => [
    { x: p.nodes, y: p.path.mean, series: 'p2pterm: mean path length', source: 'p2pterm' as const },
    { x: p.nodes, y: p.halfLog2N, series: 'paper: ½·log₂N', source: 'paper' as const },
  ]);
  const bands = pts.map((p) => ({ x: p.nodes, lo: p.path.p1, hi: p.path.p99, series: 'p2pterm: 1st–99th percentile' }));
  const e = r.config.path.exponents;
  const setup = `N = ${pow2(e[0]!)}…${pow2(e[e.length - 1]!)}; ${fmt(r.config.path.lookups)} lookups per N; seed ${r.config.seed}`;
  return chart('path-length', '3. Path length vs N', setup, PAPER.pathLength.source.cite, {
    title: '3. Lookup path length vs number of nodes',
    subtitle: setup,
    x: { title: 'nodes (N)', log: 2, format: ',d' },
    y: { title: 'path length (nodes traversed)', format: 'd' },
    rows,
    bands,
  });
}

function pathPdf(r: PaperResults): ChartDef {
  const d = r.pathPdf;
  const k = Math.round(Math.log2(d.nodes));
  const rows: Row[] = [
    ...d.pdf.map((y, x) => ({ x, y, series: `p2pterm: N = ${pow2(k)}`, source: 'p2pterm' as const })),
    ...d.model.map((y, x) => ({ x, y, series: `paper's explanation: Binomial(${k}, ½)`, source: 'model' as const })),
  ];
  const setup = `N = ${pow2(k)} = ${fmt(d.nodes)}; ${fmt(d.lookups)} lookups; seed ${r.config.seed}`;
  return chart('path-pdf', `4. Path-length distribution at N = ${pow2(k)}`, setup, PAPER.pathLength.source.cite, {
    title: `4. Path-length distribution at N = ${pow2(k)}`,
    subtitle: setup,
    x: { title: 'path length (nodes traversed)', format: 'd' },
    y: { title: 'fraction of lookups', format: '.2f' },
    rows,
  });
}

function failures(r: PaperResults): ChartDef {
  const c = r.config.failures;
  const rows: Row[] = r.failures.points.flatMap((p) => [
    { x: p.failed, y: p.noReplication, series: 'p2pterm: without replication', source: 'p2pterm' as const },
    {
      x: p.failed,
      y: p.withReplication,
      series: `p2pterm: successor lists, r = ${c.replicas}`,
      source: 'p2pterm' as const,
    },
    { x: p.failed, y: p.failed, series: 'paper: failed lookups ≈ p (Fig. 11)', source: 'paper' as const },
    {
      x: p.failed,
      y: p.failed ** c.replicas,
      series: `all ${c.replicas} holders failed: p${SUPERSCRIPT[c.replicas] ?? `^${c.replicas}`}`,
      source: 'model' as const,
    },
  ]);
  const setup = `N = ${fmt(c.nodes)} nodes; ${fmt(c.lookups)} lookups per p; stabilization paused; seed ${r.config.seed}`;
  return chart('failures', '5. Simultaneous failures', setup, PAPER.failures.source.cite, {
    title: '5. Failed lookups vs fraction of nodes failed at once',
    subtitle: setup,
    x: { title: 'fraction of nodes failed (p)', format: '.2~f' },
    y: { title: 'fraction of lookups failed', format: '.2f' },
    rows,
  });
}

function churn(r: PaperResults): ChartDef {
  const c = r.config.churn;
  const rows: Row[] = r.churn.points.flatMap((p) => [
    {
      x: p.rate,
      y: p.withoutRetries.fraction,
      series: 'p2pterm: without retries (as the paper)',
      source: 'p2pterm' as const,
    },
    { x: p.rate, y: p.withRetries.fraction, series: "p2pterm: with p2pterm's retries", source: 'p2pterm' as const },
    {
      x: p.rate,
      y: paperChurnEstimate(p.rate),
      series: 'paper: ≈ k/100, k = failures per 30 s (≈3% at 0.1/s)',
      source: 'paper' as const,
    },
  ]);
  const minutes = c.measureMs / 60_000;
  const setup = `N ≈ ${fmt(c.nodes)} nodes; stabilization every ${c.stabilizeMs / 1000} s; ${c.lookupsPerSecond} lookup/s for ${minutes} min per rate; seed ${r.config.seed}`;
  return chart('churn', '6. Lookups during churn', setup, PAPER.churn.source.cite, {
    title: '6. Failed lookups vs join/failure rate (continuous churn)',
    subtitle: setup,
    x: { title: 'joins (and failures) per second, R (log scale)', log: 10, format: '.2~f' },
    y: { title: 'fraction of lookups failed', format: '.2f' },
    rows,
  });
}
