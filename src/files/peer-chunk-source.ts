/** A p2pterm peer that shares a file, as a ChunkSource for the download engine. */
import type { ChordNode } from '../dht/chord-node.js';
import type { ChunkSource } from '../transfer/download-session.js';

/** How long one chunk request may take before the source counts as failing (ms). */
const CHUNK_TIMEOUT_MS = 20_000;

export class PeerChunkSource implements ChunkSource {
  readonly id: string;

  constructor(
    private readonly node: ChordNode,
    private readonly address: string,
    private readonly name: string,
    private readonly manifestId: string,
  ) {
    this.id = `peer ${address}`;
  }

  has(): boolean {
    return true;
  }

  async fetch(index: number, signal: AbortSignal): Promise<Uint8Array> {
    const r = await this.node.request(this.address, 'file_chunk', { name: this.name, manifest: this.manifestId, index }, CHUNK_TIMEOUT_MS, signal);
    return r.data;
  }
}
