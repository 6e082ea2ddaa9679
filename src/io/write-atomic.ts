/**
 * Crash-safe file writes: the bytes go to a temporary file, are synced, then renamed over
 * `path` and the directory is synced, so a reader sees the old file or the new one, whole.
 * A write that fails after creating its temporary file removes it.
 */
import { constants } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface WriteAtomicOptions {
  /**
   * Where the bytes are written first; it must be on the same file system as `path`.
   * Default `${path}.tmp`, truncated if present. A given path is created exclusively: callers
   * pick a fresh name (several writes may then run at once), and nothing found there is reused.
   */
  readonly tmpPath?: string;
}

export async function writeFileAtomic(
  path: string,
  body: string | Uint8Array,
  opts: WriteAtomicOptions = {},
): Promise<void> {
  const tmp = opts.tmpPath ?? `${path}.tmp`;
  // O_NOFOLLOW: a symlink planted at the temporary name is refused, not written through.
  const create = opts.tmpPath === undefined ? constants.O_TRUNC : constants.O_EXCL;
  const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | create, 0o644);
  try {
    await writeAndSync(fh, body);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined); // already gone or unremovable: `e` is what matters
    throw e;
  }
  await syncDir(dirname(path));
}

/** Writes `body` through `fh`, syncs its data to disk, and closes it. */
async function writeAndSync(fh: FileHandle, body: string | Uint8Array): Promise<void> {
  try {
    await fh.writeFile(body);
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

/** Makes a rename or a new file in `dir` durable. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
