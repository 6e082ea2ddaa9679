import { PROTOCOL_VERSION } from '../core/constants.js';
import { hashId } from '../core/ring-math.js';
import type { Hello } from '../wire/messages.js';
import type { LocalIdentity } from './transport.js';

/** Why a peer's hello is unacceptable, or null. */
export function incompatibility(me: LocalIdentity, h: Hello): string | null {
  if (h.version !== PROTOCOL_VERSION)
    return `protocol version ${h.version} is not supported (this node speaks ${PROTOCOL_VERSION})`;
  if (h.routing !== me.routing)
    return `routing mismatch: this ring runs ${me.routing} routing, the peer runs ${h.routing}`;
  if (h.bits !== me.bits) return `id width mismatch: this ring uses ${me.bits}-bit ids, the peer uses ${h.bits}`;
  if (h.address && hashId(h.address, h.bits).toString(16) !== h.id)
    return `peer id ${h.id} is not SHA-1("${h.address}")`;
  return null;
}
