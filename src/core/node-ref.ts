/**
 * References to ring members, in memory (BigInt ids) and as JSON (hex ids).
 *
 * Invariants:
 * - the id is the SHA-1 of the address reduced to the ring's width, so one address is one id;
 * - refs are values: compared with `sameNode` (id and address), never by identity.
 */

/** A ring member: its id and the "host:port" it listens on. */
export interface NodeRef {
  readonly id: bigint;
  readonly address: string;
}

/** The JSON shape used by the headless driver and the bus: ids as lowercase hex. */
export interface NodeRefJson {
  readonly id: string;
  readonly address: string;
}

export function refToJson(ref: NodeRef): NodeRefJson {
  return { id: ref.id.toString(16), address: ref.address };
}

export function sameNode(a: NodeRef | null | undefined, b: NodeRef | null | undefined): boolean {
  if (!a || !b) return a === b;
  return a.id === b.id && a.address === b.address;
}
