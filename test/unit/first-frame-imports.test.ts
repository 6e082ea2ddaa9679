/**
 * What the console loads before its first frame: the static imports of the CLI entry and of
 * run-console, followed through our own modules. The wire schemas and zod (about 100 ms of
 * module loading between them) must come after the first frame, loaded by what needs them.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
// A value import or re-export (`import type` and `export type` load nothing at run time).
const STATIC_IMPORT = /^(?:import|export)\s+(?!type\b)(?:[^;]*?\sfrom\s+)?'([^']+)'/gm;

/** Every module reached from `entries` by static value imports: ours by path, packages by name. */
function staticGraph(entries: readonly string[]): Map<string, string> {
  const reached = new Map<string, string>(); // module -> the module that imported it first
  const visit = (file: string, from: string): void => {
    if (reached.has(file)) return;
    reached.set(file, from);
    if (!file.endsWith('.ts')) return;
    const text = readFileSync(join(SRC, file), 'utf8');
    for (const [, spec] of text.matchAll(STATIC_IMPORT)) {
      if (spec!.startsWith('.')) visit(normalize(join(dirname(file), spec!)).replace(/\.js$/, '.ts'), file);
      else visit(`package ${spec}`, file);
    }
  };
  for (const e of entries) visit(e, '(entry)');
  return reached;
}

function chain(graph: Map<string, string>, m: string): string {
  const out = [m];
  for (let x = graph.get(m); x && x !== '(entry)'; x = graph.get(x)) out.push(x);
  return out.join(' <- ');
}

test('the console reaches its first frame without the wire schemas or zod', (t) => {
  const graph = staticGraph(['cli/main.ts', 'cli/run-console.ts']);
  t.true(graph.size > 20, `the walk found the console's modules (${graph.size})`);
  t.true(graph.has('tui/app.ts'), 'the walk reaches the console itself');
  const early = [...graph.keys()].filter(
    (m) => m === 'package zod' || m === 'wire/messages.ts' || m === 'wire/codec.ts',
  );
  t.deepEqual(
    early.map((m) => chain(graph, m)),
    [],
  );
});
