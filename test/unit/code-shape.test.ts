/**
 * Size limits of the source tree: no file in src/ over MAX_FILE_LINES lines (the formatter
 * keeps lines to 120 columns; `npm run lint` checks that).
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX_FILE_LINES = 400;
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

test(`no file in src/ is longer than ${MAX_FILE_LINES} lines`, (t) => {
  const long = sourceFiles(SRC)
    .map((f) => ({ file: relative(SRC, f), lines: readFileSync(f, 'utf8').split('\n').length - 1 }))
    .filter((f) => f.lines > MAX_FILE_LINES)
    .map((f) => `${f.file}: ${f.lines} lines`);
  t.deepEqual(long, []);
});
