/**
 * The layering rule of `src/`, stated here and nowhere else.
 *
 * Folders sit in tiers; a file may import files of its own folder and of folders in earlier
 * tiers only. Folders sharing a tier (dht, transfer, tracker; files, sim) do not import each
 * other. `index.ts` at the root is the library's front door and may import anything.
 * Static imports, `export … from` and dynamic `import()` all count, type-only imports too.
 * No file-level import cycles, anywhere.
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TIERS: readonly (readonly string[])[] = [
  ['core'], // ids, ring arithmetic, Chord state and its steps: pure, no IO, no clock reads
  ['wire'], // message types, framing, codec, decode errors
  ['bus'], // event names and payloads, the typed emitter (core and wire types only)
  ['commands'], // the command type shared by the headless driver, console and lab
  ['io'], // the runtime's clock and crash-safe file writes
  ['transport'], // TCP and in-memory transports
  ['dht', 'transfer', 'tracker'], // the Chord node; chunked downloads; the tracker
  ['store'], // the replicated ring store
  ['files', 'sim'], // the file service; the simulator and ring lab
  ['paper'], // the Chord paper's experiments and their report
  ['tui'], // the console
  ['cli'], // entry points
];

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

function tierOf(folder: string): number {
  return TIERS.findIndex((t) => t.includes(folder));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every module specifier in a source text: `import … from`, `export … from`, bare `import '…'`, `import('…')`. */
function specifiersIn(text: string): string[] {
  return [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s*['"]([^'"]+)['"]/g),
    ...text.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g),
    ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1] as string);
}

/** Relative imports of a file, resolved to `.ts` paths. */
function importsOf(file: string): string[] {
  return specifiersIn(readFileSync(file, 'utf8'))
    .filter((s) => s.startsWith('.'))
    .map((s) => resolve(dirname(file), s).replace(/\.js$/, '.ts'));
}

function folderOf(file: string): string {
  const rel = relative(SRC, file);
  return rel.includes('/') ? (rel.split('/')[0] as string) : '';
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

test('every folder of src/ has a tier', (t) => {
  const folders = new Set(files.map(folderOf).filter(Boolean));
  const missing = [...folders].filter((f) => tierOf(f) < 0);
  t.deepEqual(missing, [], `folders without a tier in ${relative(process.cwd(), fileURLToPath(import.meta.url))}`);
});

test('files import only their own folder and earlier tiers', (t) => {
  const bad: string[] = [];
  for (const [file, deps] of graph) {
    const from = folderOf(file);
    if (from === '') continue;
    for (const dep of deps) {
      const to = folderOf(dep);
      if (to === from) continue;
      if (to === '' || tierOf(to) >= tierOf(from)) {
        bad.push(`${relative(SRC, file)} imports ${relative(SRC, dep)} (${from} may not import ${to || 'the root'})`);
      }
    }
  }
  t.deepEqual(bad, []);
});

test('every relative import names a file that exists', (t) => {
  const known = new Set(files);
  const bad = [...graph].flatMap(([f, deps]) =>
    deps.filter((d) => !known.has(d)).map((d) => `${relative(SRC, f)} → ${relative(SRC, d)}`),
  );
  t.deepEqual(bad, []);
});

test('no import cycles between files', (t) => {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (f: string, stack: string[]): void => {
    state.set(f, 'open');
    for (const d of graph.get(f) ?? []) {
      if (state.get(d) === 'open')
        cycles.push([...stack.slice(stack.indexOf(d)), f, d].map((x) => relative(SRC, x)).join(' → '));
      else if (!state.has(d) && graph.has(d)) visit(d, [...stack, f]);
    }
    state.set(f, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f, []);
  t.deepEqual(cycles, []);
});

test('the checker finds every form of import', (t) => {
  const sample = `import a from './x.js';\nexport { b } from "../y.js";\nconst c = await import('../z.js');\nimport type {\n  D,\n} from './w.js';\nimport './side.js';`;
  t.deepEqual(specifiersIn(sample).sort(), ['../y.js', '../z.js', './side.js', './w.js', './x.js']);
});
