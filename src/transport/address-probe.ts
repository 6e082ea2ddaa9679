/**
 * Honest addresses: a peer that dials us names the address it listens on (its id is the hash
 * of it) and a random token. We answer its hello at once; to believe the claim we dial that
 * address ourselves and ask whether the token is one of its own connections' — only the node
 * really listening there can say yes. We ask when the peer first wants something that acts for
 * its address, which waits for the answer; until then it is served as a client (see
 * before-proof.ts). So no peer can take another's address, or the place on the ring its id
 * gives.
 */
import { connect } from 'node:net';
import { HELLO_TIMEOUT_MS } from '../core/constants.js';
import type { LogFn } from '../core/log.js';
import { splitAddress } from '../wire/address.js';
import type { Hello } from '../wire/messages.js';
import { pskConnect } from './psk-tls.js';
import { TcpConnection } from './tcp-connection.js';
import type { LocalIdentity } from './transport.js';

export interface ProbeOptions {
  /** Our identity; the probe dials as a client (no address of ours to check back). */
  readonly identity: () => LocalIdentity;
  readonly networkKey?: Buffer;
  readonly log: LogFn;
  readonly timeoutMs?: number;
  /**
   * Our open connection to an address, if we hold one: the probe is asked over it instead of
   * a new connection (we dialed that address, so whoever answers on it listens there), which
   * on a private network saves a second TLS handshake per new peer.
   */
  readonly open?: (address: string) => TcpConnection | null;
}

/** Null when the node at `h.address` confirms `h.token` is its own, else why not. */
export async function probeClaim(h: Hello, opts: ProbeOptions): Promise<string | null> {
  if (!h.address) return null;
  if (!h.token) return `${h.address} cannot be checked: the peer sent no token`;
  const ms = opts.timeoutMs ?? HELLO_TIMEOUT_MS;
  const open = opts.open?.(h.address);
  if (open) return askOver(open, h.address, h.token, ms);
  const { host, port } = splitAddress(h.address);
  const socket = opts.networkKey ? pskConnect(host, port, opts.networkKey) : connect({ host, port });
  const conn = new TcpConnection(
    socket,
    false,
    () => ({ ...opts.identity(), address: null }),
    null,
    opts.log,
    h.address,
  );
  const timer = setTimeout(() => conn.close(`no answer to the address probe within ${ms} ms`), ms);
  try {
    await conn.ready;
    const answer = await conn.request('probe', { token: h.token }).done;
    return verdict(answer, h.address);
  } catch (e) {
    return `${h.address} did not confirm this peer: ${(e as Error).message}`;
  } finally {
    clearTimeout(timer);
    conn.close('address probe done');
  }
}

/** The probe over a connection that stays open: bounded by `ms`, the request forgotten after. */
async function askOver(conn: TcpConnection, address: string, token: string, ms: number): Promise<string | null> {
  const { id, done } = conn.request('probe', { token });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer to the address probe within ${ms} ms`)), ms);
  });
  try {
    return verdict(await Promise.race([done, late]), address);
  } catch (e) {
    return `${address} did not confirm this peer: ${(e as Error).message}`;
  } finally {
    clearTimeout(timer);
    conn.forget(id);
  }
}

function verdict(answer: unknown, address: string): string | null {
  return (answer as { mine?: unknown } | null)?.mine === true
    ? null
    : `the node at ${address} says this peer is not it`;
}
