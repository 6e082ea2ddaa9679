/** The little of bittorrent-tracker the benchmark uses (the package ships no types). */
declare module 'bittorrent-tracker' {
  import type { Server as HttpServer } from 'node:http';

  interface ServerOptions {
    udp: boolean;
    http: boolean;
    ws: boolean;
    stats: boolean;
  }
  export class Server {
    constructor(opts: ServerOptions);
    readonly http: HttpServer;
    listen(port: number, host: string, onListening: () => void): void;
    close(cb?: () => void): void;
    /** `start`: a peer announced itself (its "ip:port"); `warning` and `error` carry an Error. */
    on(event: 'start', fn: (addr: string) => void): this;
    on(event: 'warning' | 'error', fn: (e: Error) => void): this;
    off(event: 'start', fn: (addr: string) => void): this;
  }
}
