/**
 * The report page: one self-contained HTML file (inline CSS, the charts as inline SVG, no
 * scripts, no network) with each chart's setup and source under it, the key findings, the
 * methods, and the paper's words for every value compared against.
 */
import type { ChartDef } from './report-charts.js';
import { PAPER } from './paper-values.js';
import type { PaperResults } from './run-paper.js';
import { findings } from './summary-text.js';

export interface RenderedChart extends ChartDef {
  readonly svg: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const CSS = `body{font-family:system-ui,'DejaVu Sans',sans-serif;max-width:980px;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
figure.chart{margin:2rem 0;padding:1rem;border:1px solid #ddd;border-radius:6px}
figure.chart svg{max-width:100%;height:auto}
figcaption{font-size:.9rem;color:#444}
table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #ddd;padding:.3rem .5rem;vertical-align:top;text-align:left}
blockquote{margin:.3rem 0 .8rem 1rem;color:#555;font-size:.9rem}code{background:#f4f4f4;padding:0 .2rem}`;

export function reportHtml(r: PaperResults, charts: readonly RenderedChart[]): string {
  const total = Object.values(r.wallMs).reduce((a, b) => a + b, 0);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>p2pterm vs the Chord paper</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${CSS}</style></head>
<body>
<h1>p2pterm vs the Chord paper</h1>
<p>Measured by <code>p2pterm paper${r.config.preset === 'default' ? '' : ` --${r.config.preset}`} --seed ${r.config.seed}</code>
with p2pterm's own node code (ChordNode on SimRing: in-memory transport, virtual clock), Node ${escapeHtml(r.node)},
in ${(total / 1000).toFixed(1)} s. Every number is in <code>results.json</code> beside this page.
Solid lines: p2pterm. Dashed: the paper's published values. Dotted: a model.</p>
${findingsTable(r)}
${charts.map(figure).join('\n')}
${methods(r)}
${sources()}
</body></html>
`;
}

function findingsTable(r: PaperResults): string {
  const rows = findings(r)
    .map(
      (f) =>
        `<tr><td>${escapeHtml(f.experiment)}</td><td>${escapeHtml(f.ours)}</td><td>${escapeHtml(f.paper)}</td></tr>`,
    )
    .join('\n');
  return `<h2>Summary</h2>\n<table><tr><th>experiment</th><th>p2pterm</th><th>paper</th></tr>\n${rows}\n</table>`;
}

function figure(c: RenderedChart): string {
  return `<figure class="chart" id="${c.id}" data-chart="${c.id}">
${c.svg}
<figcaption><b>Setup:</b> ${escapeHtml(c.setup)}.<br><b>Paper:</b> ${escapeHtml(c.paper)}.</figcaption>
</figure>`;
}

function methods(r: PaperResults): string {
  const items = [
    "Keys per node (1, 2): ownership from sorted SHA-1 ids with p2pterm's ring math (a key belongs to the first node id at or after it), without starting the nodes. Host i of seed s has address <code>s&lt;s&gt;-n&lt;i&gt;.sim:4000</code>; its virtual node k has id SHA-1(address) for k = 0 and SHA-1(<code>address#k</code>) for k ≥ 1; key j is <code>key-&lt;s&gt;-&lt;j&gt;</code>. Percentiles are nearest-rank; with several seeds the chart shows their mean.",
    "Path length (3, 4): real lookups through SimRing's ChordNodes on a ring with every successor list and finger correct and stabilization paused; each answer is checked against the true owner. Path length counts the nodes a lookup traverses: p2pterm's <code>path</code>, the asker and every node that answered a routing step (<code>hops + 1</code>; <code>meanHops</code> in results.json).",
    `Simultaneous failures (5): on such a ring of ${r.config.failures.nodes} nodes, stabilization is paused, a fraction p of the nodes crashes, and lookups run at once. Without replication a lookup fails when it rejects, names a node other than the key's owner before the crash, or that owner is dead. With replication each key is on its owner and the next ${r.config.failures.replicas - 1} successors (the ring store's placement) and the client reads as the ring store does: the named owner, then the successor list past it, up to ${r.config.failures.replicas + 2} nodes. The dotted p^${r.config.failures.replicas} line is the fraction of keys that lost every copy.`,
    `Churn (6): ${r.config.churn.nodes} nodes, joins and crashes each a Poisson process of rate R per second, p2pterm's stabilization every ${r.config.churn.stabilizeMs / 1000} s, lookups a Poisson process of ${r.config.churn.lookupsPerSecond} per second counted after ${r.config.churn.warmupMs / 60_000} min of churn. Each lookup runs twice at the same moment from the same node: without retries (the first RPC that times out fails it, as in the paper's simulator) and with p2pterm's own lookup, which routes around silent nodes. A lookup fails if it rejects or names a node other than the key's live successor when it started or finished; lost keys are not counted. Differences from the paper's simulator: a p2pterm round fixes one finger (the paper's simulator refreshed every finger each time), rounds are 30 s apart after a random start (the paper's were randomized), and an RPC times out after 2 s. The paper's curve is known only from its text: the dashed line is its own estimate.`,
  ];
  return `<h2>Methods</h2>\n<ul>${items.map((i) => `<li>${i}</li>`).join('\n')}</ul>`;
}

function sources(): string {
  const all = [PAPER.keysPerNode, PAPER.virtualNodes, PAPER.pathLength, PAPER.failures, PAPER.churn].map(
    (e) => e.source,
  );
  return `<h2>Sources</h2>\n${all
    .map((s) => `<p>${escapeHtml(s.cite)}:</p><blockquote>“${escapeHtml(s.quote)}”</blockquote>`)
    .join('\n')}`;
}
