/** Conversions between in-memory node refs (BigInt ids) and their wire/JSON form (hex ids). */
import type { NodeRef, NodeRefJson } from '../core/node-ref.js';
import type { WireRef } from '../wire/messages.js';

export function toWire(ref: NodeRef): WireRef {
  return { id: ref.id.toString(16), address: ref.address };
}

export function fromWire(ref: WireRef): NodeRef {
  return { id: BigInt('0x' + ref.id), address: ref.address };
}

export const toJson: (ref: NodeRef) => NodeRefJson = toWire;
