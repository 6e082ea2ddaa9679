/** A ring member as others see it: its id and the "host:port" it listens on. */
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
