/** The little of bittorrent-dht the benchmark uses (the package ships no types). */
declare module 'bittorrent-dht' {
  const DHT: any;
  export default DHT;
}
