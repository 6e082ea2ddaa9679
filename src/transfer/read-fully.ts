/** Positioned reads and writes that finish the job (the OS may transfer fewer bytes per call). */
import type { FileHandle } from 'node:fs/promises';
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

/** Writes all of `bytes` at `position`. */
export async function writeFully(fh: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.byteLength; ) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.byteLength - done, position + done);
    done += bytesWritten;
  }
}
