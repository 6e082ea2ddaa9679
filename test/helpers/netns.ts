/**
 * A test bed of "hosts" on one machine: each host is a Linux network namespace with one veth
 * link to a bridge in a switch namespace of its own, an IPv4 address in 10.213.X.0/24 and an
 * IPv6 one in fd00:213:X::/64, and a default route through the bridge. Nothing is added to
 * the caller's namespace: the bed talks only among its own hosts.
 *
 * - names carry a random prefix, so test files running in parallel never collide;
 * - `destroy()` kills every process started in the bed and deletes every namespace (the veths
 *   and bridges go with them); it also runs at process exit, so a failed or crashed test
 *   leaves nothing behind;
 * - links can be cut and restored, hosts split onto a second bridge (a partition) and joined
 *   again, and a link's bandwidth capped with `tc tbf`; delay uses netem only where the kernel
 *   has it (`bed.netem` says which; this kernel has none).
 *
 * Needs root and iproute2; without them `createNetBed` fails with a message saying so.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { startProc, type JsonLine, type Proc } from './headless-proc.js';

const run = promisify(execFile);

export interface NetHost {
  /** 0-based position in the bed. */
  readonly index: number;
  /** The namespace's name. */
  readonly ns: string;
  readonly ipv4: string;
  readonly ipv6: string;
}

export interface NetBedOptions {
  readonly hosts: number;
  /** X of 10.213.X.0/24 and fd00:213:X::/64 (default: random in 1..250; namespaces keep beds apart anyway). */
  readonly subnet?: number;
}

/** A p2pterm process in a host, with the `listening` line it printed. */
export type HostProc = Proc & { readonly host: NetHost; readonly listening: JsonLine };

const GATEWAY_V4 = 254;
const GATEWAY_V6 = 'fe';

export class NetBed {
  readonly hosts: NetHost[];
  /** Whether the kernel has netem (latency, loss); without it only `tbf` bandwidth caps work. */
  netem = false;
  private readonly procs = new Set<Proc>();
  private readonly namespaces: string[] = [];
  private destroyed = false;
  private readonly onExit = () => this.destroySync();

  constructor(
    readonly prefix: string,
    readonly subnet: number,
    count: number,
  ) {
    this.hosts = Array.from({ length: count }, (_, index) => ({
      index,
      ns: `${prefix}-h${index}`,
      ipv4: `10.213.${subnet}.${10 + index}`,
      ipv6: `fd00:213:${subnet}::${(10 + index).toString(16)}`,
    }));
    process.once('exit', this.onExit);
  }

  get switchNs(): string {
    return `${this.prefix}-sw`;
  }

  /** Runs `ip ...` (or any command with `ip netns exec`), failing with its stderr. */
  async ip(...args: string[]): Promise<string> {
    try {
      return (await run('ip', args)).stdout;
    } catch (e) {
      const err = e as Error & { stderr?: string };
      throw new Error(`ip ${args.join(' ')}: ${err.stderr?.trim() || err.message}`);
    }
  }

  async build(): Promise<void> {
    await this.addNamespace(this.switchNs);
    const sw = ['-n', this.switchNs];
    await this.ip(...sw, 'link', 'add', 'br0', 'type', 'bridge');
    await this.ip(...sw, 'link', 'add', 'br1', 'type', 'bridge');
    await this.ip(...sw, 'addr', 'add', `10.213.${this.subnet}.${GATEWAY_V4}/24`, 'dev', 'br0');
    await this.ip(...sw, '-6', 'addr', 'add', `fd00:213:${this.subnet}::${GATEWAY_V6}/64`, 'dev', 'br0', 'nodad');
    await this.ip(...sw, 'link', 'set', 'br0', 'up');
    await this.ip(...sw, 'link', 'set', 'br1', 'up');
    for (const h of this.hosts) await this.addHost(h);
    for (const h of this.hosts) this.writeHostsFile(h);
    this.netem = await this.probeNetem();
  }

  private async addNamespace(ns: string): Promise<void> {
    await this.ip('netns', 'add', ns);
    this.namespaces.push(ns);
  }

  private async addHost(h: NetHost): Promise<void> {
    await this.addNamespace(h.ns);
    const port = this.port(h);
    await this.ip('link', 'add', 'eth0', 'netns', h.ns, 'type', 'veth', 'peer', 'name', port, 'netns', this.switchNs);
    await this.ip('-n', this.switchNs, 'link', 'set', port, 'master', 'br0', 'up');
    const n = ['-n', h.ns];
    await this.ip(...n, 'link', 'set', 'lo', 'up');
    await this.ip(...n, 'addr', 'add', `${h.ipv4}/24`, 'dev', 'eth0');
    await this.ip(...n, '-6', 'addr', 'add', `${h.ipv6}/64`, 'dev', 'eth0', 'nodad');
    await this.ip(...n, 'link', 'set', 'eth0', 'up');
    await this.ip(...n, 'route', 'add', 'default', 'via', `10.213.${this.subnet}.${GATEWAY_V4}`);
    await this.ip(...n, '-6', 'route', 'add', 'default', 'via', `fd00:213:${this.subnet}::${GATEWAY_V6}`);
  }

  /**
   * Names for the hosts, seen only inside the bed: `ip netns exec` mounts
   * /etc/netns/NS/hosts over /etc/hosts. `hostN` is the IPv4 address, `hostN-v6` the IPv6 one.
   */
  private writeHostsFile(h: NetHost): void {
    const lines = ['127.0.0.1 localhost', '::1 localhost ip6-localhost'];
    for (const o of this.hosts) lines.push(`${o.ipv4} ${hostName(o)}`, `${o.ipv6} ${hostName(o)}-v6`);
    mkdirSync(`/etc/netns/${h.ns}`, { recursive: true });
    writeFileSync(`/etc/netns/${h.ns}/hosts`, `${lines.join('\n')}\n`);
  }

  /** The host's veth end on the switch side. */
  private port(h: NetHost): string {
    return `v${h.index}`;
  }

  private async probeNetem(): Promise<boolean> {
    const h = this.hosts[0];
    if (!h) return false;
    try {
      await this.ip('netns', 'exec', h.ns, 'tc', 'qdisc', 'add', 'dev', 'eth0', 'root', 'netem', 'delay', '1ms');
      await this.ip('netns', 'exec', h.ns, 'tc', 'qdisc', 'del', 'dev', 'eth0', 'root');
      return true;
    } catch {
      return false; // "Specified qdisc kind is unknown": the kernel has no netem, which `netem` reports
    }
  }

  /** Takes the host's link down: its packets go nowhere until `restore`. */
  cut(h: NetHost): Promise<string> {
    return this.ip('-n', this.switchNs, 'link', 'set', this.port(h), 'down');
  }

  restore(h: NetHost): Promise<string> {
    return this.ip('-n', this.switchNs, 'link', 'set', this.port(h), 'up');
  }

  /** Moves `side` onto a bridge of its own: the two groups no longer reach each other. */
  async partition(side: readonly NetHost[]): Promise<void> {
    for (const h of side) await this.ip('-n', this.switchNs, 'link', 'set', this.port(h), 'master', 'br1');
  }

  /** Puts every host back on the one bridge. */
  async heal(): Promise<void> {
    for (const h of this.hosts) await this.ip('-n', this.switchNs, 'link', 'set', this.port(h), 'master', 'br0');
  }

  /**
   * Caps the host's outgoing bandwidth with tbf (and adds `delayMs` with netem where the
   * kernel has it). Returns what was applied, e.g. "tbf 10mbit" or "tbf 10mbit + netem 50ms".
   */
  async shape(h: NetHost, rate: string, delayMs = 0): Promise<string> {
    const tc = ['netns', 'exec', h.ns, 'tc', 'qdisc'];
    await this.ip(...tc, 'del', 'dev', 'eth0', 'root').catch(() => 'no qdisc yet: nothing to remove');
    if (delayMs > 0 && this.netem) {
      await this.ip(...tc, 'add', 'dev', 'eth0', 'root', 'netem', 'delay', `${delayMs}ms`, 'rate', rate);
      return `netem ${delayMs}ms ${rate}`;
    }
    await this.ip(...tc, 'add', 'dev', 'eth0', 'root', 'tbf', 'rate', rate, 'burst', '32kbit', 'latency', '400ms');
    return `tbf ${rate}`;
  }

  /** Starts `p2pterm args` inside the host; killed by `destroy`. */
  spawn(h: NetHost, args: string[], env: NodeJS.ProcessEnv = {}): Proc {
    const p = startProc(args, env, ['ip', 'netns', 'exec', h.ns]);
    this.procs.add(p);
    void p.exited().then(() => this.procs.delete(p));
    return p;
  }

  /** Starts a p2pterm command that prints a `listening` line, and waits for it. */
  async start(h: NetHost, args: string[], env: NodeJS.ProcessEnv = {}, ms = 120_000): Promise<HostProc> {
    const p = this.spawn(h, args, env);
    const what = `p2pterm ${args.join(' ')} in ${h.ns}`;
    const listening = await Promise.race([
      p
        .waitLine((o) => o.event === 'listening', ms)
        .catch((e: Error) => {
          throw new Error(`${what}: ${e.message}`);
        }),
      p.exited().then((code) => {
        throw new Error(`${what} exited (${code}): ${p.stderr.join(' | ')}`);
      }),
    ]);
    return Object.assign(p, { host: h, listening });
  }

  /** Kills every process the bed started and deletes every namespace it made. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    const exits = [...this.procs].map((p) => (p.kill('SIGKILL'), p.exited()));
    await Promise.all(exits);
    this.destroySync();
  }

  private destroySync(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    process.removeListener('exit', this.onExit);
    for (const p of this.procs) p.kill('SIGKILL');
    for (const ns of this.namespaces.reverse()) {
      rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {
        // Already gone (deleted by hand, or never fully made): nothing left to remove.
      }
    }
  }
}

/** The name of `h` inside the bed (its IPv4 address; append "-v6" for the IPv6 one). */
export function hostName(h: NetHost): string {
  return `host${h.index}`;
}

/** Whether this machine lets us make namespaces; the error says why not. */
export async function checkNamespaces(): Promise<void> {
  const why =
    process.getuid?.() !== 0
      ? 'they need root'
      : await run('ip', ['-V']).then(
          () => null,
          () => 'the `ip` command (iproute2) is missing: run scripts/test-setup.sh',
        );
  if (why) throw new Error(`network namespaces are not available here: ${why}`);
}

/** Builds a bed of `hosts` namespaces; on any failure removes what it made and says why. */
export async function createNetBed(opts: NetBedOptions): Promise<NetBed> {
  await checkNamespaces();
  const prefix = `p2t${randomBytes(3).toString('hex')}`;
  const bed = new NetBed(prefix, opts.subnet ?? 1 + (randomBytes(1)[0]! % 250), opts.hosts);
  try {
    await bed.build();
  } catch (e) {
    await bed.destroy();
    throw new Error(`cannot build a network-namespace test bed (root, iproute2, veth and bridge needed): ${e}`);
  }
  return bed;
}
