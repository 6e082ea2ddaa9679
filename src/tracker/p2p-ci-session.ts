/**
 * One P2P-CI/1.0 connection to the index server: parse, answer in order, time out.
 *
 * Invariants:
 * - answers go out in request order, one write each;
 * - a request without its final blank line is answered once the client has been quiet for
 *   `idleCompleteMs` if it stands on its own, else after `stallMs` (400 if invalid); after
 *   `stallMs` a last header line without its line end counts as sent when the request is then
 *   valid; any other half-sent line (request line, header name) gets 400 and a close;
 * - a framing fault (limit hit) gets 400 and a close; other faults get 400/505 and the
 *   connection lives on;
 * - at most REQUESTS_PER_TURN requests are handled before yielding to other connections;
 * - when the connection ends for any reason, its peers go offline (their records stay).
 */
import type { Socket } from 'node:net';
import { P2pCiParser, formatServerResponse, type ParseOutcome, type P2pCiLimits } from './p2p-ci-codec.js';
import { handleP2pCiRequest, type P2pCiReply } from './p2p-ci-handlers.js';
import type { PeerRegistry, SessionRef, TrackerLog } from './peer-registry.js';
import { SocketFlow } from './socket-flow.js';
import { MAX_PENDING_OUTPUT, REQUESTS_PER_TURN } from './tracker-constants.js';
import { P2pCiParseError } from './tracker-errors.js';

export interface P2pCiSessionOptions {
  readonly registry: PeerRegistry;
  readonly log: TrackerLog;
  readonly limits?: P2pCiLimits;
  /** Quiet time after which a request lacking its blank line is completed. */
  readonly idleCompleteMs: number;
  /** Quiet time after which a half-sent line is refused. */
  readonly stallMs: number;
}

export class P2pCiSession implements SessionRef {
  readonly #parser: P2pCiParser;
  readonly #flow: SocketFlow;
  #quietTimer: NodeJS.Timeout | undefined;
  #busy = false;

  constructor(
    socket: Socket,
    readonly label: string,
    private readonly opts: P2pCiSessionOptions,
  ) {
    this.#parser = new P2pCiParser(opts.limits);
    this.#flow = new SocketFlow(socket, MAX_PENDING_OUTPUT);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.once('close', () => this.#onClose());
  }

  /** Bytes that arrived before the protocol was known. */
  start(initial: Buffer): void {
    if (initial.length > 0) this.#onData(initial);
  }

  #onData(chunk: Buffer): void {
    this.#parser.feed(chunk);
    if (!this.#busy) this.#pump();
  }

  #pump(): void {
    this.#flow.batch(() => this.#pumpBatch());
  }

  #pumpBatch(): void {
    this.#clearQuiet();
    for (let handled = 0; handled < REQUESTS_PER_TURN; handled++) {
      const outcome = this.#parser.next();
      if (!outcome) return this.#armQuiet();
      this.#handle(outcome);
      if (this.#flow.closed) return;
    }
    this.#busy = true;
    this.#flow.yieldThen(() => {
      this.#busy = false;
      this.#pump();
    });
  }

  #handle(outcome: ParseOutcome): void {
    if (outcome instanceof P2pCiParseError) return this.#refuse(outcome);
    let reply: P2pCiReply;
    try {
      reply = handleP2pCiRequest(outcome, this, this.opts.registry);
    } catch (e) {
      // Our fault (e.g. the database failed); P2P-CI has no 5xx, so the closest answer is 400.
      this.opts.log('error', `${this.label}: ${outcome.method} failed: ${e instanceof Error ? e.message : String(e)}`);
      reply = { text: formatServerResponse(400), close: false };
    }
    if (reply.close) this.#flow.finish(reply.text);
    else this.#flow.send(reply.text);
  }

  #refuse(error: P2pCiParseError): void {
    this.opts.log('debug', `${this.label}: ${error.status} ${error.message}`);
    const text = formatServerResponse(error.status);
    if (error.fatal) this.#flow.finish(text);
    else this.#flow.send(text);
  }

  #armQuiet(): void {
    if (!this.#parser.hasPending) return;
    this.#quietTimer = setTimeout(() => this.#onQuiet(), this.opts.idleCompleteMs);
  }

  /** The client went quiet with bytes pending: complete the request, or wait for a stall. */
  #onQuiet(): void {
    this.#quietTimer = undefined;
    const outcome = this.#parser.tryCompleteIdle();
    if (outcome) {
      this.#handle(outcome);
      if (!this.#flow.closed) this.#pump();
      return;
    }
    const wait = Math.max(0, this.opts.stallMs - this.opts.idleCompleteMs);
    this.#quietTimer = setTimeout(() => this.#onStall(), wait);
  }

  /**
   * Stalled: whole lines are taken as they are (400 if invalid), so is a last header line the
   * client never ended if that makes a valid request; any other half-sent line closes.
   */
  #onStall(): void {
    this.#quietTimer = undefined;
    const outcome = this.#parser.forceComplete(this.opts.stallMs);
    if (!outcome) return;
    this.#handle(outcome);
    if (!this.#flow.closed) this.#pump();
  }

  #clearQuiet(): void {
    if (this.#quietTimer) clearTimeout(this.#quietTimer);
    this.#quietTimer = undefined;
  }

  #onClose(): void {
    this.#clearQuiet();
    this.opts.registry.release(this, 'connection closed');
  }
}
