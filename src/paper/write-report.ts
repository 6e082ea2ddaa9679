/**
 * Writes a report directory: index.html (charts inline), charts/<id>.svg (each chart on its
 * own) and results.json (every number, the configuration and the paper's values).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderSvg } from './render-svg.js';
import { reportCharts } from './report-charts.js';
import { reportHtml, type RenderedChart } from './report-html.js';
import type { PaperResults } from './run-paper.js';

export async function writeReport(dir: string, results: PaperResults): Promise<RenderedChart[]> {
  await mkdir(join(dir, 'charts'), { recursive: true });
  const charts: RenderedChart[] = [];
  for (const c of reportCharts(results)) {
    const svg = await renderSvg(c.spec);
    await writeFile(join(dir, 'charts', `${c.id}.svg`), svg);
    charts.push({ ...c, svg });
  }
  await writeFile(join(dir, 'index.html'), reportHtml(results, charts));
  await writeFile(join(dir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  return charts;
}
