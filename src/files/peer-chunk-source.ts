/** A p2pterm peer that shares a file, as a ChunkSource for the download engine. */
import type { ChordNode } from '../dht/chord-node.js';
import type { ChunkSource } from '../transfer/download-session.js';
import { TransferError } from '../transfer/transfer-error.js';

/** How long one chunk request may take before the source counts as failing (ms). */
const CHUNK_TIMEOUT_MS = 20_000;

export class PeerChunkSource implements ChunkSource {
  readonly id: string;

  constructor(
    private readonly node: ChordNode,
    private readonly address: string,
    private readonly name: string,
    private readonly manifestId: string,
    /** Told the bytes of every answer (the choker's credit for this peer). */
    private readonly onReceived: (bytes: number) => void = () => undefined,
  ) {
    this.id = `peer ${address}`;
  }

  has(): boolean {
    return true;
  }

  async fetch(index: number, signal: AbortSignal): Promise<Uint8Array> {
    return (await this.request(index, signal)).data;
  }

  /** Over TCP the chunk's bytes land in `target` straight from the socket (no extra copy). */
  async fetchInto(index: number, target: Uint8Array, signal: AbortSignal): Promise<void> {
    const { data } = await this.request(index, signal, target);
    if (data === target) return;
    if (data.byteLength !== target.byteLength) {
      throw new TransferError(
        'BAD_CHUNK',
        `chunk ${index} from ${this.id} is ${data.byteLength} bytes, not ${target.byteLength}`,
      );
    }
    target.set(data);
  }

  /**
   * Chunks `first`.. in one request, straight into `target`; resolves with the bytes delivered
   * (a server may send fewer chunks than asked for; one that predates runs sends one).
   */
  async fetchSpanInto(first: number, count: number, target: Uint8Array, signal: AbortSignal): Promise<number> {
    const { data } = await this.request(first, signal, target, count);
    if (data === target) return data.byteLength;
    if (data.byteLength > target.byteLength) {
      throw new TransferError(
        'BAD_CHUNK',
        `chunks ${first}+${count} from ${this.id}: ${data.byteLength} bytes, too many`,
      );
    }
    target.set(data);
    return data.byteLength;
  }

  private request(index: number, signal: AbortSignal, into?: Uint8Array, count = 1) {
    const body = { name: this.name, manifest: this.manifestId, index, ...(count > 1 ? { count } : {}) };
    const answer = this.node.request(this.address, 'file_chunk', body, { timeoutMs: CHUNK_TIMEOUT_MS, signal, into });
    return answer.then((r) => (this.onReceived(r.data.byteLength), r));
  }
}
