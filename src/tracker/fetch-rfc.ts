/**
 * Downloading RFC n from a P2P-CI/1.0 peer's upload server (`GET RFC n P2P-CI/1.0`).
 *
 * Invariants:
 * - the body goes to `OUT.part` and is renamed to `OUT` only when complete: exactly
 *   Content-Length bytes when the header is present (extra bytes are ignored), everything up
 *   to the close otherwise;
 * - on any failure (non-200 status, short body, timeout, abort) the `.part` file is removed
 *   and the promise rejects with a coded error (ABORTED on abort, unless the signal's reason
 *   is an Error of the caller's);
 * - the response head is bounded (MAX_REQUEST_BYTES); every wait is bounded by `timeoutMs`
 *   of silence and by `signal`.
 */
import { createWriteStream, promises as fsp, type WriteStream } from 'node:fs';
import { connect } from 'node:net';
import { type as osType, release as osRelease } from 'node:os';
import { formatGetRequest, parseResponseHead, type ParsedResponseHead } from './p2p-ci-format.js';
import { MAX_REQUEST_BYTES } from './tracker-constants.js';
import { abortReason, RpcTimeoutError, UnreachableError } from '../wire/errors.js';
import { TrackerRemoteError } from './tracker-errors.js';

export interface FetchRfcOptions {
  /** Sent in the OS header. Default: this machine's OS type and release. */
  readonly os?: string;
  /** Longest silence from the peer. Default 10 000 ms. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface FetchRfcResult {
  readonly path: string;
  readonly bytes: number;
  readonly lastModified?: Date;
}

const STATUS_CODES: Record<number, string> = { 400: 'BAD_REQUEST', 404: 'NOT_FOUND', 505: 'VERSION_NOT_SUPPORTED' };

export async function fetchRfc(
  host: string,
  port: number,
  rfc: number,
  outPath: string,
  opts: FetchRfcOptions = {},
): Promise<FetchRfcResult> {
  const part = `${outPath}.part`;
  const out = createWriteStream(part);
  try {
    const got = await download(host, port, rfc, out, opts);
    await fsp.rename(part, outPath);
    return { path: outPath, ...got };
  } catch (e) {
    out.destroy();
    await fsp.rm(part, { force: true });
    throw e;
  }
}

function download(
  host: string,
  port: number,
  rfc: number,
  out: WriteStream,
  opts: FetchRfcOptions,
): Promise<Omit<FetchRfcResult, 'path'>> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    let head: ParsedResponseHead | undefined;
    let buf = Buffer.alloc(0);
    let received = 0;
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err) return reject(err);
      out.end(() => resolve({ bytes: received, lastModified: lastModified(head) }));
    };
    const onAbort = (): void => finish(abortReason(opts.signal!, `download of RFC ${rfc} from ${host}:${port}`));
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    socket.setTimeout(timeoutMs, () => finish(new RpcTimeoutError(`${host}:${port}`, `GET RFC ${rfc}`, timeoutMs)));
    out.once('error', (e) => finish(new UnreachableError(String(out.path), `cannot write: ${e.message}`)));
    socket.once('error', (e) => finish(new UnreachableError(`${host}:${port}`, e.message)));
    socket.once('connect', () => socket.write(formatGetRequest(rfc, host, opts.os ?? `${osType()} ${osRelease()}`)));
    let limit: number | undefined;
    const writeBody = (chunk: Buffer): void => {
      const take = limit === undefined ? chunk : chunk.subarray(0, Math.max(0, limit - received));
      received += take.length;
      if (take.length > 0 && !out.write(take)) {
        socket.pause();
        out.once('drain', () => socket.resume());
      }
      if (limit !== undefined && received >= limit) finish();
    };
    socket.on('data', (chunk: Buffer) => {
      if (head) return writeBody(chunk);
      buf = Buffer.concat([buf, chunk]);
      try {
        head = parseResponseHead(buf) ?? undefined;
      } catch (e) {
        return finish(new TrackerRemoteError('BAD_RESPONSE', `${host}:${port}: ${(e as Error).message}`));
      }
      if (!head)
        return buf.length > MAX_REQUEST_BYTES
          ? finish(new TrackerRemoteError('BAD_RESPONSE', 'response head too large'))
          : undefined;
      if (head.status !== 200)
        return finish(
          new TrackerRemoteError(
            STATUS_CODES[head.status] ?? 'BAD_STATUS',
            `${host}:${port} answered ${head.status} ${head.phrase} to GET RFC ${rfc}`,
          ),
        );
      const declared = contentLength(head);
      if (declared === 'malformed') return finish(new TrackerRemoteError('BAD_RESPONSE', 'malformed Content-Length'));
      limit = declared;
      writeBody(buf.subarray(head.bodyStart));
    });
    socket.once('end', onEnd);
    function onEnd(): void {
      if (!head)
        return finish(new TrackerRemoteError('BAD_RESPONSE', `${host}:${port} closed before a complete response`));
      if (limit !== undefined && received < limit)
        return finish(new UnreachableError(`${host}:${port}`, `closed after ${received} of ${limit} bytes`));
      finish();
    }
  });
}

function contentLength(head: ParsedResponseHead): number | undefined | 'malformed' {
  const raw = head.headers.get('content-length');
  if (raw === undefined) return undefined;
  return /^\d{1,15}$/.test(raw) ? Number(raw) : 'malformed';
}

function lastModified(head: ParsedResponseHead | undefined): Date | undefined {
  const raw = head?.headers.get('last-modified');
  const d = raw ? new Date(raw) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d : undefined;
}
