/**
 * Errors of the transfer engine, each with a stable `code`:
 * - BAD_MANIFEST  a manifest failed to decode or is inconsistent with its data
 * - BAD_NAME      a name from the network cannot be used as a file name
 * - BAD_INDEX     a chunk index out of range
 * - BAD_CHUNK     a source sent bytes that do not match the manifest
 * - NO_SOURCES    every source was dropped or none was given
 * - UNAVAILABLE   no live source has some chunk still needed
 * - CHANGED       a served file no longer matches its manifest
 * - CORRUPT       a downloaded file does not match its manifest's whole-file SHA-256
 * - ABORTED       the caller aborted the transfer
 */
import { P2pError } from '../wire/errors.js';

export type TransferErrorCode =
  | 'BAD_MANIFEST'
  | 'BAD_NAME'
  | 'BAD_INDEX'
  | 'BAD_CHUNK'
  | 'NO_SOURCES'
  | 'UNAVAILABLE'
  | 'CHANGED'
  | 'CORRUPT'
  | 'ABORTED';

export class TransferError extends P2pError {
  constructor(
    override readonly code: TransferErrorCode,
    message: string,
  ) {
    super(code, message);
  }
}

/** The error to reject with when `signal` aborted (keeps a caller-provided reason if it is an Error). */
export function abortError(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  if (r instanceof Error && r.name !== 'AbortError') return r;
  return new TransferError('ABORTED', 'transfer aborted');
}
