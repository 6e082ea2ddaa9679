/** Positioned reads and writes that finish the job (the OS may transfer fewer bytes per call). */
import type { FileHandle } from 'node:fs/promises';
import { WRITE_PIECE_BYTES } from './transfer-constants.js';
import { TransferError } from './transfer-error.js';

/** Reads exactly `len` bytes at `position` into a buffer that owns its memory (movable to a worker). */
export async function readFully(fh: FileHandle, len: number, position: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafeSlow(len);
  await readInto(fh, buf, position);
  return buf;
}

/** Fills all of `target` from `position`. */
export async function readInto(fh: FileHandle, target: Uint8Array, position: number): Promise<void> {
  const len = target.byteLength;
  for (let got = 0; got < len; ) {
    const { bytesRead } = await fh.read(target, got, len - got, position + got);
    if (bytesRead === 0) throw new TransferError('CHANGED', `file shorter than ${position + len} bytes`);
    got += bytesRead;
  }
}

/**
 * Writes all of `bytes` at `position`, at most WRITE_PIECE_BYTES per call: on this kernel a
 * larger buffered write makes the page cache allocate larger folios, and that costs 3-10x the
 * system time (dd, 1 GiB: 0.15 s in 256 KiB writes, 0.5-1.7 s in 1 MiB writes).
 */
export async function writeFully(fh: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.byteLength; ) {
    const n = Math.min(WRITE_PIECE_BYTES, bytes.byteLength - done);
    const { bytesWritten } = await fh.write(bytes, done, n, position + done);
    done += bytesWritten;
  }
}
