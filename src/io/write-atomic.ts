/**
 * Crash-safe small-file writes: the bytes go to `path.tmp`, are synced, then renamed over
 * `path` and the directory is synced, so a reader sees the old file or the new one, whole.
 */
import { constants } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function writeFileAtomic(path: string, body: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  // O_NOFOLLOW: a symlink planted at the temporary name is refused, not written through.
  const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
  try {
    await fh.writeFile(body);
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await syncDir(dirname(path));
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
