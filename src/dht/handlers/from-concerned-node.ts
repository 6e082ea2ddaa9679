/**
 * Messages that change a node's neighbours (`leaving`, `notify`) speak for the node they name:
 * only that node may send them. Anyone else gets FORBIDDEN, and the node's pointers stay as
 * they were (otherwise any peer could make a node drop its neighbours).
 */
import { P2pError } from '../../wire/errors.js';
import type { PeerInfo } from '../../transport/transport.js';
import type { WireRef } from '../../wire/messages.js';
import type { Handler, NodeContext } from '../node-context.js';

/** How often one sender's refusals are logged at most (ms). */
const REFUSAL_LOG_EVERY_MS = 60_000;

/** Does `from` (as its hello established it) name the same node as `ref`? */
export function isConcernedNode(from: PeerInfo, ref: WireRef): boolean {
  if (from.address !== ref.address) return false;
  try {
    return BigInt(`0x${from.id}`) === BigInt(`0x${ref.id}`);
  } catch {
    return false; // an id that is not hex names no node
  }
}

/** `handler`, answering FORBIDDEN to a sender other than the node the message is about. */
export function fromConcernedNode<T extends 'leaving' | 'notify'>(
  ctx: NodeContext,
  type: T,
  handler: Handler<T>,
): Handler<T> {
  const lastLogged = new Map<string, number>();
  return async (body, from) => {
    if (isConcernedNode(from, body.node) || namesReceiver(ctx, type, body.node)) return handler(body, from);
    const sender = from.address ?? `client ${from.id}`;
    const now = ctx.clock.now();
    if (now - (lastLogged.get(sender) ?? Number.NEGATIVE_INFINITY) >= REFUSAL_LOG_EVERY_MS) {
      if (lastLogged.size > 1024) lastLogged.clear(); // a bounded memory of who was told off
      lastLogged.set(sender, now);
      ctx.log(
        'warn',
        'ring',
        `ignoring ${type} about ${body.node.address} sent by ${sender}: only that node may send it`,
      );
    }
    throw new P2pError('FORBIDDEN', `${type} about ${body.node.address} must come from that node, not ${sender}`);
  };
}

/** A notify naming the receiver itself changes nothing (rectify ignores it), whoever sends it. */
function namesReceiver(ctx: NodeContext, type: 'leaving' | 'notify', ref: WireRef): boolean {
  return type === 'notify' && ctx.requireRing().self.address === ref.address;
}
