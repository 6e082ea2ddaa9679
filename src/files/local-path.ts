/** Where a user's file argument points, and the remembered sizes of files put into the ring. */
import { promises as fsp } from 'node:fs';
import { basename, resolve } from 'node:path';

/**
 * A bare name (no directory part) is looked up in the shared folder first, then in the
 * current directory; when it is in neither, the shared-folder path is returned so that the
 * error names the folder the user sees. Any other path resolves against the current directory.
 */
export async function resolveLocal(path: string, dir: string): Promise<string> {
  if (basename(path) !== path) return resolve(path);
  const inDir = resolve(dir, path);
  if (await exists(inDir)) return inDir;
  const inCwd = resolve(path);
  return (await exists(inCwd)) ? inCwd : inDir;
}

async function exists(path: string): Promise<boolean> {
  return fsp.stat(path).then(
    (st) => st.isFile(),
    () => false, // missing or unreadable: the caller's own open reports it
  );
}

/** `{name: size}` written after each put; empty when missing, and (warned) when unreadable. */
export async function readSizes(path: string, warn: (message: string) => void): Promise<Map<string, number>> {
  try {
    const v: unknown = JSON.parse(await fsp.readFile(path, 'utf8'));
    const entries = typeof v === 'object' && v !== null ? Object.entries(v) : [];
    return new Map(entries.filter((e): e is [string, number] => typeof e[1] === 'number'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') warn(`ignoring ${path}: ${(e as Error).message}`);
    return new Map();
  }
}
