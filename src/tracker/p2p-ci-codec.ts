/**
 * P2P-CI/1.0 request parser: pure, incremental and liberal (see shared/protocols/p2p-ci.md).
 *
 * Invariants:
 * - no IO and no clock: the caller feeds bytes and decides when the client "went quiet";
 * - a request is complete at a blank line; when the client has gone quiet without one,
 *   `tryCompleteIdle` completes it only if the buffer ends at a line end and the request
 *   already stands on its own (ADD with Title, LOOKUP/LIST with Host and Port, a request line
 *   no header could fix); `forceComplete` (after a longer stall) takes whatever lines there are,
 *   and a last header line without its line end (`Name: value`) when the request is then valid;
 * - lines end in CRLF, LF or `\n\r`; stray `\r`, NUL and blank lines between requests are skipped;
 * - header names are case-insensitive, `Post` means `Port`, values lose padding spaces/NULs,
 *   unknown headers are ignored, the first occurrence of a header wins;
 * - a missing Host/Port reuses the last valid one this connection sent;
 * - buffered bytes never exceed the request limit: a longer line, more headers or a bigger
 *   request is a fatal 400 (the connection is closed); other faults are a 400/505 for that
 *   request only, and parsing continues with the next one.
 */
import { P2pCiParseError } from './tracker-errors.js';
import { MAX_HEADERS, MAX_LINE_BYTES, MAX_REQUEST_BYTES, MAX_RFC_DIGITS, P2PCI_VERSION } from './tracker-constants.js';

export * from './p2p-ci-format.js';

/** A decoded P2P-CI request. Every leave method (LEAVE, QUIT, EXIT, DISCONNECT) is `LEAVE`. */
export type P2pCiRequest =
  | {
      readonly method: 'ADD';
      readonly rfc: number;
      readonly host: string;
      readonly port: number;
      readonly title: string;
    }
  | {
      readonly method: 'LOOKUP';
      readonly rfc: number;
      readonly host?: string;
      readonly port?: number;
      readonly title: string;
    }
  | { readonly method: 'LIST'; readonly host?: string; readonly port?: number }
  | { readonly method: 'GET'; readonly rfc: number; readonly host?: string; readonly os?: string }
  | { readonly method: 'LEAVE'; readonly verb: string };

/** Hard limits on what one request may occupy. Defaults from tracker-constants. */
export interface P2pCiLimits {
  readonly maxLineBytes: number;
  readonly maxHeaders: number;
  readonly maxRequestBytes: number;
}

export const DEFAULT_P2PCI_LIMITS: P2pCiLimits = {
  maxLineBytes: MAX_LINE_BYTES,
  maxHeaders: MAX_HEADERS,
  maxRequestBytes: MAX_REQUEST_BYTES,
};

export type ParseOutcome = P2pCiRequest | P2pCiParseError;

const LF = 0x0a;
const LEAVE_VERBS = new Set(['LEAVE', 'QUIT', 'EXIT', 'DISCONNECT']);
const RFC_METHODS = new Set(['ADD', 'LOOKUP', 'GET']);
const EMPTY = Buffer.alloc(0);
/** `Name:` then anything: a header line whose name was sent whole. */
const HEADER_LINE = /^[ \t]*[^\s:]+[ \t]*:/;

export class P2pCiParser {
  #buf: Buffer = EMPTY;
  #scanPos = 0;
  #lines: string[] = [];
  #knownHost: string | undefined;
  #knownPort: number | undefined;

  constructor(readonly limits: P2pCiLimits = DEFAULT_P2PCI_LIMITS) {}

  /** Port this connection announced last (used when a later request omits it). */
  get knownPort(): number | undefined {
    return this.#knownPort;
  }

  /** Host this connection announced last. */
  get knownHost(): string | undefined {
    return this.#knownHost;
  }

  /** True while bytes of an unfinished request are buffered. */
  get hasPending(): boolean {
    return this.#buf.length > 0;
  }

  feed(chunk: Uint8Array): void {
    this.#buf = this.#buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#buf, chunk]);
  }

  /** The next request completed by a blank line, a parse error, or null (need more bytes). */
  next(): ParseOutcome | null {
    this.#skipJunk();
    while (true) {
      const nl = this.#buf.indexOf(LF, this.#scanPos);
      if (nl < 0) return this.#checkPartial();
      if (nl - this.#scanPos > this.limits.maxLineBytes)
        return this.#fatal(`line longer than ${this.limits.maxLineBytes} bytes`);
      const line = cleanLine(this.#buf.subarray(this.#scanPos, nl));
      this.#scanPos = nl + 1;
      if (line === '') return this.#complete();
      this.#lines.push(line);
      if (this.#lines.length > this.limits.maxHeaders + 1)
        return this.#fatal(`more than ${this.limits.maxHeaders} header lines`);
      if (this.#scanPos > this.limits.maxRequestBytes)
        return this.#fatal(`request larger than ${this.limits.maxRequestBytes} bytes`);
    }
  }

  /**
   * Call when the client has been quiet for a moment: completes a request that lacks its final
   * blank line if it already stands on its own. Returns null if nothing is complete.
   */
  tryCompleteIdle(): ParseOutcome | null {
    const ready = this.next();
    if (ready || !this.#atLineEnd()) return ready;
    const headers = parseHeaders(this.#lines.slice(1));
    const outcome = interpret(this.#lines[0]!, headers, this.#knownHost, this.#knownPort);
    return standsAlone(outcome, headers) ? this.#complete() : null;
  }

  /**
   * Call when the client has stalled: completes whatever whole lines are buffered (400 if they
   * are not a valid request). Bytes after the last line end count as a last header line if they
   * read `Name: value` and the request is then valid (clients that never end their last line);
   * anything else half-sent is a fatal 400. Null if nothing is pending.
   */
  forceComplete(stalledMs: number): ParseOutcome | null {
    const ready = this.next();
    if (ready || !this.hasPending) return ready;
    if (this.#atLineEnd() || this.#takeUnendedHeader()) return this.#complete();
    return this.#fatal(`half-sent request stalled for ${stalledMs} ms`);
  }

  /** Takes the unended rest of the buffer as a header line if that completes a valid request. */
  #takeUnendedHeader(): boolean {
    if (this.#lines.length === 0) return false; // the request line itself is half-sent
    const line = cleanLine(this.#buf.subarray(this.#scanPos));
    if (!HEADER_LINE.test(line)) return false; // a half-sent header name: no colon yet
    const lines = [...this.#lines, line];
    const outcome = interpret(lines[0]!, parseHeaders(lines.slice(1)), this.#knownHost, this.#knownPort);
    if (outcome instanceof P2pCiParseError) return false;
    this.#lines = lines;
    this.#scanPos = this.#buf.length;
    return true;
  }

  /** At least a request line is buffered, and nothing but padding follows the last line end. */
  #atLineEnd(): boolean {
    if (this.#lines.length === 0) return false;
    const rest = this.#buf.subarray(this.#scanPos);
    if (!rest.every(isJunkByte)) return false;
    this.#scanPos = this.#buf.length;
    return true;
  }

  #checkPartial(): P2pCiParseError | null {
    if (this.#buf.length - this.#scanPos > this.limits.maxLineBytes)
      return this.#fatal(`line longer than ${this.limits.maxLineBytes} bytes`);
    if (this.#buf.length > this.limits.maxRequestBytes)
      return this.#fatal(`request larger than ${this.limits.maxRequestBytes} bytes`);
    return null;
  }

  #skipJunk(): void {
    if (this.#lines.length > 0 || this.#scanPos > 0) return;
    let i = 0;
    while (i < this.#buf.length && isJunkByte(this.#buf[i]!)) i++;
    if (i > 0) this.#buf = this.#buf.subarray(i);
  }

  #complete(): ParseOutcome {
    const lines = this.#lines;
    this.#buf = this.#buf.subarray(this.#scanPos);
    this.#scanPos = 0;
    this.#lines = [];
    const outcome = interpret(lines[0] ?? '', parseHeaders(lines.slice(1)), this.#knownHost, this.#knownPort);
    if (!(outcome instanceof P2pCiParseError)) this.#remember(outcome);
    return outcome;
  }

  #remember(req: P2pCiRequest): void {
    if (req.method === 'LEAVE' || req.method === 'GET') return;
    if (req.host !== undefined) this.#knownHost = req.host;
    if (req.port !== undefined) this.#knownPort = req.port;
  }

  #fatal(message: string): P2pCiParseError {
    this.#buf = EMPTY;
    this.#scanPos = 0;
    this.#lines = [];
    return new P2pCiParseError(400, message, true);
  }
}

/** Could no further header line change this request? */
function standsAlone(outcome: ParseOutcome, headers: Map<string, string>): boolean {
  if (outcome instanceof P2pCiParseError) return outcome.inRequestLine;
  switch (outcome.method) {
    case 'ADD':
      return headers.has('title');
    case 'LOOKUP':
    case 'LIST':
      return outcome.host !== undefined && outcome.port !== undefined;
    case 'GET':
      return outcome.host !== undefined;
    case 'LEAVE':
      return true;
  }
}

function isJunkByte(b: number): boolean {
  return b === 0x0d || b === 0x0a || b === 0x00 || b === 0x20 || b === 0x09;
}

/** Drops the `\r` of CRLF (or the leading one of `\n\r`) and trailing padding. */
function cleanLine(bytes: Buffer): string {
  return bytes
    .toString('utf8')
    .replace(/^[\r\0]+/, '')
    .replace(/[\r\0 \t]+$/, '');
}

function parseHeaders(lines: readonly string[]): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue; // not a header: ignored, like unknown ones
    let name = line.slice(0, colon).trim().toLowerCase();
    if (name === 'post') name = 'port'; // the design document's own transcript says "Post:"
    const value = line.slice(colon + 1).replace(/^[ \t\0]+|[ \t\0]+$/g, '');
    if (!headers.has(name)) headers.set(name, value);
  }
  return headers;
}

function interpret(line: string, headers: Map<string, string>, knownHost?: string, knownPort?: number): ParseOutcome {
  const tokens = line.split(/[ \t]+/).filter((t) => t !== '');
  const method = (tokens[0] ?? '').toUpperCase();
  if (LEAVE_VERBS.has(method)) return { method: 'LEAVE', verb: method };
  if (!RFC_METHODS.has(method) && method !== 'LIST') return badLine(`unknown method "${clip(tokens[0] ?? '')}"`);
  const versionError = checkVersion(tokens[tokens.length - 1] ?? '');
  if (versionError) return versionError;
  if (method === 'LIST') return interpretList(tokens, headers, knownHost, knownPort);
  if (tokens.length !== 4 || tokens[1]!.toUpperCase() !== 'RFC')
    return badLine(`expected "${method} RFC <number> ${P2PCI_VERSION}"`);
  const rfc = parseRfcNumber(tokens[2]!);
  if (rfc === undefined) return badLine(`RFC number "${clip(tokens[2]!)}" is not a decimal integer`);
  if (method === 'GET')
    return { method, rfc, host: headers.get('host') || undefined, os: headers.get('os') || undefined };
  return interpretIndexRequest(method as 'ADD' | 'LOOKUP', rfc, headers, knownHost, knownPort);
}

function interpretIndexRequest(
  method: 'ADD' | 'LOOKUP',
  rfc: number,
  headers: Map<string, string>,
  knownHost?: string,
  knownPort?: number,
): ParseOutcome {
  const peer = peerHeaders(headers, knownHost, knownPort);
  if (peer instanceof P2pCiParseError) return peer;
  const title = headers.get('title') ?? '';
  if (method === 'LOOKUP') return { method, rfc, title, ...peer };
  if (peer.host === undefined) return bad('ADD needs a Host header');
  if (peer.port === undefined) return bad('ADD needs a Port header');
  return { method, rfc, host: peer.host, port: peer.port, title: title === '' ? `rfc${rfc}` : title };
}

function interpretList(
  tokens: readonly string[],
  headers: Map<string, string>,
  knownHost?: string,
  knownPort?: number,
): ParseOutcome {
  if (tokens.length !== 3 || tokens[1]!.toUpperCase() !== 'ALL') return badLine(`expected "LIST ALL ${P2PCI_VERSION}"`);
  const peer = peerHeaders(headers, knownHost, knownPort);
  return peer instanceof P2pCiParseError ? peer : { method: 'LIST', ...peer };
}

function peerHeaders(
  headers: Map<string, string>,
  knownHost?: string,
  knownPort?: number,
): { host?: string; port?: number } | P2pCiParseError {
  const rawHost = headers.get('host');
  const rawPort = headers.get('port');
  if (rawHost !== undefined && rawHost !== '' && !/^[^\s\x00-\x1f\x7f]{1,255}$/.test(rawHost))
    return bad(`Host "${clip(rawHost)}" is not a host name`);
  const port = rawPort === undefined || rawPort === '' ? knownPort : parsePort(rawPort);
  if (port === null) return bad(`Port "${clip(rawPort ?? '')}" is not a port number`);
  return { host: rawHost || knownHost, port };
}

function checkVersion(token: string): P2pCiParseError | undefined {
  if (token.toUpperCase() === P2PCI_VERSION) return undefined;
  if (/^[^/]+\/\S+$/.test(token))
    return new P2pCiParseError(505, `version "${clip(token)}" is not supported`, false, true);
  return badLine(`missing protocol version (expected ${P2PCI_VERSION})`);
}

/** Decimal port 1..65535, or null. */
export function parsePort(text: string): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}

/** Decimal RFC number with at most MAX_RFC_DIGITS digits, or undefined. */
export function parseRfcNumber(text: string): number | undefined {
  return new RegExp(`^\\d{1,${MAX_RFC_DIGITS}}$`).test(text) ? Number(text) : undefined;
}

function bad(message: string): P2pCiParseError {
  return new P2pCiParseError(400, message);
}

function badLine(message: string): P2pCiParseError {
  return new P2pCiParseError(400, message, false, true);
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
