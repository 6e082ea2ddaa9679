/**
 * What a node can say about its successor when it answers the last step of a lookup: that it
 * heard from it lately, and what the successor said its predecessor was. The asker takes that
 * word instead of asking the owner itself (often over a fresh connection), so a lookup costs no
 * extra round trip while the successor is known to live.
 *
 * How fresh is fresh: where the transport tells when a connection closed (TCP: a peer whose
 * process died has its connections closed by its kernel), an answer stays good while the
 * connection it came on is still open and for one stretched stabilization round plus one
 * round (by then the node asked again itself); without that signal, for one unstretched round.
 *
 * Invariants:
 * - a vouch is given only for the node that is the successor now, and only from an answer it
 *   gave within the window above, never older than OWNER_VOUCH_MAX_AGE_MS;
 * - no vouch from an answer whose connection has closed since, as far as this process can know
 *   when it answers (closings already reported by the kernel are seen first: closesSeen);
 * - when the last answer is older, the successor is asked again before the reply (one
 *   `neighbours` on the connection stabilization keeps open; concurrent lookups share it); when
 *   it does not answer, no vouch is given and the asker checks the owner itself;
 * - the age reported is the real one: the asker may refuse a vouch older than it accepts.
 */
import { type ChordState, successorOf } from '../core/chord-state.js';
import type { Clock } from '../core/clock.js';
import { OWNER_VOUCH_MAX_AGE_MS } from '../core/constants.js';
import { sameNode, type NodeRef } from '../core/node-ref.js';
import type { Transport } from '../transport/transport.js';
import type { RequestBody, ResponseBody, WireRef } from '../wire/messages.js';

/** What a vouch needs of its node (the node's context; narrow, so this file imports none of it). */
export interface VouchHost {
  readonly state: ChordState | null;
  readonly transport: Transport;
  readonly clock: Clock;
  readonly ticker: { readonly intervalMs: number; readonly effectiveMs: number };
  request(to: string, type: 'neighbours', body: RequestBody<'neighbours'>): Promise<ResponseBody<'neighbours'>>;
}

/** The last hop's word about its successor, as sent in a `find_step` reply. */
export interface Vouch {
  /** The successor's predecessor, as the successor last said. */
  readonly predecessor: WireRef | null;
  /** How long ago the successor answered (ms). */
  readonly ageMs: number;
  /** The successor was asked for this reply (an RPC the asker did not send but waited for). */
  readonly asked: boolean;
}

interface Heard {
  readonly address: string;
  readonly at: number;
  readonly predecessor: WireRef | null;
  /** The connection it answered on (undefined: the transport cannot tell). */
  readonly tag: number | null | undefined;
}

export class SuccessorVouch {
  private heard: Heard | null = null;
  private asking: Promise<Heard | null> | null = null;

  constructor(private readonly ctx: VouchHost) {}

  /** `node` answered `neighbours` just now (stabilization, a join, a merge). */
  note(node: NodeRef, nb: ResponseBody<'neighbours'>): void {
    const tag = this.ctx.transport.connectionTag?.(node.address);
    this.heard = { address: node.address, at: this.ctx.clock.now(), predecessor: nb.predecessor, tag };
  }

  /** Drops what was heard: the successor may have a new predecessor (a joiner said so). */
  forget(): void {
    this.heard = null;
  }

  /** How old an answer may be to vouch with it now, without asking again (0: not at all). */
  private windowMs(h: Heard): number {
    const ticker = this.ctx.ticker;
    if (h.tag === undefined) return Math.min(ticker.intervalMs, OWNER_VOUCH_MAX_AGE_MS);
    if (h.tag === null || this.ctx.transport.connectionTag?.(h.address) !== h.tag) return 0;
    return Math.min(ticker.effectiveMs + ticker.intervalMs, OWNER_VOUCH_MAX_AGE_MS);
  }

  /** The vouch for `node` if it is the successor and answered within `freshMs`, without asking. */
  fresh(node: NodeRef): Vouch | null {
    const st = this.ctx.state;
    const h = this.heard;
    if (!st || !h || !sameNode(successorOf(st), node) || h.address !== node.address) return null;
    const ageMs = Math.max(0, Math.round(this.ctx.clock.now() - h.at));
    return ageMs <= this.windowMs(h) ? { predecessor: h.predecessor, ageMs, asked: false } : null;
  }

  /** The vouch for `node` when it is the successor, asking it first when the last answer is stale. */
  async vouchFor(node: NodeRef): Promise<Vouch | null> {
    if (this.ctx.transport.closesSeen) await this.ctx.transport.closesSeen();
    const st = this.ctx.state;
    if (!st || !sameNode(successorOf(st), node) || sameNode(node, st.self)) return null;
    const known = this.fresh(node);
    if (known) return known;
    const h = await this.ask(node);
    if (!h || h.address !== node.address) return null;
    return { predecessor: h.predecessor, ageMs: Math.max(0, Math.round(this.ctx.clock.now() - h.at)), asked: true };
  }

  /** One `neighbours` to `node`, shared by the lookups that need it at the same time. */
  private ask(node: NodeRef): Promise<Heard | null> {
    if (this.asking) return this.asking;
    this.asking = this.ctx
      .request(node.address, 'neighbours', {})
      .then(
        (nb) => (this.note(node, nb), this.heard),
        // No answer: no vouch; the asker checks the owner itself and stabilization drops it.
        () => null,
      )
      .finally(() => (this.asking = null));
    return this.asking;
  }
}
