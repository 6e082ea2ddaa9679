/** The short text summary of a run (stdout, and the report's key findings): ours next to the paper's. */
import { PAPER, paperChurnEstimate } from './paper-values.js';
import type { PaperResults } from './run-paper.js';

export interface Finding {
  readonly experiment: string;
  readonly ours: string;
  readonly paper: string;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const x1 = (x: number) => `${x.toFixed(2)}×`;

export function findings(r: PaperResults): Finding[] {
  return [loadFinding(r), virtualFinding(r), pathFinding(r), pdfFinding(r), failureFinding(r), churnFinding(r)];
}

function loadFinding(r: PaperResults): Finding {
  const a = r.keysPerNode.averaged;
  const ratios = a.map((p) => p.p99 / p.mean);
  const last = a[a.length - 1]!;
  return {
    experiment: '1. keys per node',
    ours: `99th percentile ${x1(Math.min(...ratios))}–${x1(Math.max(...ratios))} the mean; 1st percentile ${last.p1.toFixed(1)} at ${last.keys.toLocaleString('en-US')} keys`,
    paper: `99th ≈ ${PAPER.keysPerNode.p99OverMean}× the mean, 1st percentile 0`,
  };
}

function virtualFinding(r: PaperResults): Finding {
  const a = r.virtualNodes.averaged;
  const first = a[0]!;
  const last = a[a.length - 1]!;
  return {
    experiment: '2. virtual nodes',
    ours: `99th/mean ${x1(first.p99OverMean)} with ${first.virtualNodes} → ${x1(last.p99OverMean)} with ${last.virtualNodes}; 1st/mean ${x1(first.p1OverMean)} → ${x1(last.p1OverMean)}`,
    paper: '99th/mean 4.8× → 1.6× (1 → 20 virtual nodes); 1st/mean 0 → 0.5×',
  };
}

function pathFinding(r: PaperResults): Finding {
  const pts = r.pathLength.points;
  const worst = Math.max(...pts.map((p) => Math.abs(p.path.mean - p.halfLog2N)));
  const last = pts[pts.length - 1]!;
  return {
    experiment: '3. path length',
    ours: `mean ${last.path.mean.toFixed(2)} at N = ${last.nodes.toLocaleString('en-US')} (½·log₂N = ${last.halfLog2N}); largest gap to ½·log₂N ${worst.toFixed(2)}; wrong owners ${pts.reduce((s, p) => s + p.wrongOwner, 0)}`,
    paper: '≈ ½·log₂N',
  };
}

function pdfFinding(r: PaperResults): Finding {
  const d = r.pathPdf;
  const mode = d.pdf.indexOf(Math.max(...d.pdf));
  return {
    experiment: '4. path-length PDF',
    ours: `N = ${d.nodes.toLocaleString('en-US')}: mean ${d.meanPath.toFixed(2)}, most common ${mode}`,
    paper: `mean ≈ ${(0.5 * Math.log2(d.nodes)).toFixed(1)} (ones in a random log₂N-bit distance)`,
  };
}

function failureFinding(r: PaperResults): Finding {
  const pts = r.failures.points;
  const list = (f: (p: (typeof pts)[number]) => number) => pts.map((p) => `${p.failed}: ${pct(f(p))}`).join(', ');
  return {
    experiment: '5. simultaneous failures',
    ours: `without replication ${list((p) => p.noReplication)}; with r = ${r.config.failures.replicas}: ${list((p) => p.withReplication)}`,
    paper: 'failed lookups ≈ p without replication',
  };
}

function churnFinding(r: PaperResults): Finding {
  const pts = r.churn.points;
  const list = (f: (p: (typeof pts)[number]) => number) => pts.map((p) => `${p.rate}/s: ${pct(f(p))}`).join(', ');
  return {
    experiment: '6. churn',
    ours: `without retries ${list((p) => p.withoutRetries.fraction)}; with retries ${list((p) => p.withRetries.fraction)}`,
    paper: `≈ ${pct(paperChurnEstimate(0.1))} at 0.1/s, "slightly worse" measured (approximate)`,
  };
}

/** The stdout summary: one block per experiment, then where the report is. */
export function summaryText(r: PaperResults, dir: string): string {
  const lines = [`p2pterm paper (${r.config.preset}, seed ${r.config.seed}) — p2pterm vs Stoica et al. 2001`];
  for (const f of findings(r)) lines.push(`${f.experiment}`, `  p2pterm: ${f.ours}`, `  paper:   ${f.paper}`);
  const total = Object.values(r.wallMs).reduce((a, b) => a + b, 0);
  lines.push(`report: ${dir}/index.html, numbers: ${dir}/results.json (${(total / 1000).toFixed(1)} s)`);
  return lines.join('\n') + '\n';
}
