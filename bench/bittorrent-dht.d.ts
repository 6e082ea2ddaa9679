/** The little of bittorrent-dht the benchmark uses (the package ships no types). */
declare module 'bittorrent-dht' {
  interface DhtOptions {
    bootstrap: false | string[];
    host: string;
  }
  class DHT {
    constructor(opts: DhtOptions);
    readonly ready: boolean;
    readonly _rpc: { socket: { on(event: 'query', fn: () => void): void } };
    listen(port: number, host: string, onListening: () => void): void;
    address(): { port: number };
    announce(infoHash: Buffer, port: number, cb: (e: Error | null) => void): void;
    lookup(infoHash: Buffer, cb: () => void): void;
    on(event: 'peer', fn: () => void): void;
    once(event: 'ready', fn: () => void): void;
    off(event: 'peer', fn: () => void): void;
    destroy(cb: () => void): void;
  }
  export default DHT;
}
