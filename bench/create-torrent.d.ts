/** The little of create-torrent the benchmark uses (the package ships no types). */
declare module 'create-torrent' {
  interface CreateTorrentOptions {
    announceList: string[][];
    private: boolean;
  }
  export default function createTorrent(
    input: string,
    opts: CreateTorrentOptions,
    cb: (e: Error | null, torrent: Buffer) => void,
  ): void;
}
