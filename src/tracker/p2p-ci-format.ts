/**
 * P2P-CI/1.0 response formatting (index server and upload server) and response-head parsing
 * for our own download client. Pure: no IO, dates are passed in.
 *
 * Invariants:
 * - an index server response is always: status line, CRLF, record lines, final CRLF — written
 *   as one string so clients reading "until the final empty line" see all of it at once;
 * - text copied from other clients (titles, hosts) never contains CR, LF or NUL when written,
 *   so one client cannot forge lines in another client's answer.
 */
import { P2PCI_VERSION } from './tracker-constants.js';
import type { P2pCiStatus } from './tracker-errors.js';

/** One line of an index answer: `RFC n title host port`. */
export interface P2pCiRecord {
  readonly rfc: number;
  readonly title: string;
  readonly host: string;
  readonly port: number;
}

export const STATUS_PHRASES: Readonly<Record<P2pCiStatus, string>> = {
  200: 'OK',
  400: 'Bad Request',
  404: 'Not Found',
  505: 'P2P-CI Version Not Supported',
};

const CRLF = '\r\n';

/** `P2P-CI/1.0 200 OK` */
export function statusLine(status: P2pCiStatus): string {
  return `${P2PCI_VERSION} ${status} ${STATUS_PHRASES[status]}`;
}

/** Replaces line breaks and control bytes (hostile input) with a space. */
export function oneLine(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]/g, ' ');
}

/** A full index server answer. Errors and "not found" carry no records. */
export function formatServerResponse(status: P2pCiStatus, records: readonly P2pCiRecord[] = []): string {
  let out = statusLine(status) + CRLF + CRLF;
  if (status === 200) for (const r of records) out += formatRecord(r) + CRLF;
  return out + CRLF;
}

export function formatRecord(r: P2pCiRecord): string {
  return `RFC ${r.rfc} ${oneLine(r.title)} ${oneLine(r.host)} ${r.port}`;
}

/** Head of an upload server answer; for 200 the body (exactly `length` bytes) follows. */
export interface GetResponseHead {
  readonly status: P2pCiStatus;
  readonly os: string;
  readonly date: Date;
  readonly lastModified?: Date;
  readonly length?: number;
}

export function formatGetResponseHead(head: GetResponseHead): string {
  const lines = [statusLine(head.status), `Date: ${head.date.toUTCString()}`, `OS: ${oneLine(head.os)}`];
  if (head.status === 200) {
    lines.push(`Last-Modified: ${(head.lastModified ?? head.date).toUTCString()}`);
    lines.push(`Content-Length: ${head.length ?? 0}`);
    lines.push('Content-Type: text/plain');
  }
  return lines.join(CRLF) + CRLF + CRLF;
}

/** A `GET RFC n` request as a P2P-CI download client sends it. */
export function formatGetRequest(rfc: number, host: string, os: string): string {
  return `GET RFC ${rfc} ${P2PCI_VERSION}${CRLF}Host: ${oneLine(host)}${CRLF}OS: ${oneLine(os)}${CRLF}${CRLF}`;
}

/** A parsed response head: status, lower-cased headers, and where the body starts. */
export interface ParsedResponseHead {
  readonly version: string;
  readonly status: number;
  readonly phrase: string;
  readonly headers: ReadonlyMap<string, string>;
  readonly bodyStart: number;
}

/**
 * Parses a response head from the start of `buf` (CRLF or LF line ends). Returns null until
 * the blank line that ends the head has arrived; throws RangeError on a malformed status line.
 */
export function parseResponseHead(buf: Buffer): ParsedResponseHead | null {
  const end = findHeadEnd(buf);
  if (end === null) return null;
  const lines = buf
    .subarray(0, end.headEnd)
    .toString('utf8')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''));
  const m = /^(\S+) (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (!m) throw new RangeError(`malformed status line "${(lines[0] ?? '').slice(0, 60)}"`);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { version: m[1]!, status: Number(m[2]), phrase: m[3] ?? '', headers, bodyStart: end.bodyStart };
}

function findHeadEnd(buf: Buffer): { headEnd: number; bodyStart: number } | null {
  let pos = 0;
  while (true) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0) return null;
    const lineLen = nl - pos - (nl > pos && buf[nl - 1] === 0x0d ? 1 : 0);
    if (lineLen === 0 && pos > 0) return { headEnd: pos, bodyStart: nl + 1 };
    pos = nl + 1;
  }
}

/** Splits an index server answer's record lines back into records (for tests and tools). */
export function parseRecordLine(line: string): P2pCiRecord | undefined {
  const m = /^RFC (\d+) (.*) (\S+) (\d+)$/.exec(line.trim());
  return m ? { rfc: Number(m[1]), title: m[2]!, host: m[3]!, port: Number(m[4]) } : undefined;
}
