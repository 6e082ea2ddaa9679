/**
 * The lab's commands, by name, as the console's `:` line runs them: each takes words and
 * resolves to a reply object (empty when there is nothing to show beyond "ok").
 */
import type { CommandFn } from '../commands/command-fn.js';
import type { Routing } from '../core/chord-state.js';
import type { RingLab } from './ring-lab.js';

export interface LabCommandHelp {
  readonly usage: string;
  readonly help: string;
}

export const LAB_COMMAND_HELP: Readonly<Record<string, LabCommandHelp>> = {
  add: { usage: 'add [N]', help: 'N nodes (hosts, with --vnodes) join at once through random members (default 8)' },
  crash: {
    usage: 'crash [ADDR|#I|FRACTION]',
    help: 'crash the selected node, one by address or index, or a fraction (0.25); with --vnodes, whole hosts',
  },
  leave: { usage: 'leave [ADDR|#I|FRACTION]', help: 'graceful leave, same choices as crash' },
  partition: { usage: 'partition [K]', help: 'split the ring into K arcs that cannot reach each other (default 2)' },
  heal: { usage: 'heal', help: 'end the partition' },
  latency: { usage: 'latency MS', help: 'one-way message delay (memory transport)' },
  loss: { usage: 'loss P', help: 'message loss probability 0..1 (memory transport)' },
  storm: { usage: 'storm [K]', help: 'K lookups from random nodes: path-length chart (default 1000)' },
  fresh: { usage: 'fresh [chord|naive] [N]', help: 'a new ring (default: the other routing, same size)' },
  pause: { usage: 'pause', help: 'pause / resume the ring clock' },
  step: { usage: 'step [MS]', help: 'advance the paused clock one stabilization interval (or MS)' },
  speed: { usage: 'speed X|x2|/2', help: 'virtual ms per real ms (1/16..256), or twice / half the current' },
  select: { usage: 'select ADDR|ID|#I|next|prev', help: 'show that node in every pane' },
  health: { usage: 'health', help: 'check the ring now and show the figures' },
  lookup: { usage: 'lookup KEY', help: 'look KEY up from the selected node' },
};

export function labCommands(lab: RingLab): Record<string, CommandFn> {
  const num = (s: string | undefined, name: string, dflt?: number): number => {
    if (s === undefined && dflt !== undefined) return dflt;
    const n = Number(s);
    if (s === undefined || !Number.isFinite(n)) throw new Error(`${name}: expected a number, got "${s ?? ''}"`);
    return n;
  };
  const targets = (arg: string | undefined) => {
    if (arg === undefined) return { nodes: [lab.selected] };
    const f = Number(arg);
    if (!arg.startsWith('#') && Number.isFinite(f) && f > 0 && f < 1) return { fraction: f };
    return { nodes: [lab.select(arg)] };
  };
  return {
    // Operations reply with nothing to show: the lab logs them and its pane shows the effect.
    add: async ([n]) => (await lab.addNodes(Math.max(1, Math.floor(num(n, 'add', 8)))), {}),
    crash: async ([arg]) => {
      const t = targets(arg);
      await (t.fraction ? lab.crashFraction(t.fraction) : lab.crash(t.nodes));
      return {};
    },
    leave: async ([arg]) => {
      const t = targets(arg);
      await (t.fraction ? lab.leaveFraction(t.fraction) : lab.leave(t.nodes));
      return {};
    },
    partition: async ([k]) => (lab.partition(Math.floor(num(k, 'partition', 2))), {}),
    heal: async () => (lab.heal(), {}),
    latency: async ([ms]) => (lab.setLatency(num(ms, 'latency')), {}),
    loss: async ([p]) => (lab.setLoss(num(p, 'loss')), {}),
    storm: async ([k]) => {
      // The lab pane charts the result; the log has the summary line.
      const r = await lab.storm(Math.max(1, Math.floor(num(k, 'storm', 1000))));
      if (!r.failed && !r.wrongOwner) return {};
      return { problem: `${r.wrongOwner} of ${r.lookups} lookups answered a wrong owner, ${r.failed} failed` };
    },
    fresh: async (args) => {
      const routing = args.find((a) => a === 'chord' || a === 'naive') as Routing | undefined;
      const n = args.find((a) => /^\d+$/.test(a));
      await lab.fresh({
        routing: routing ?? (lab.routing === 'chord' ? 'naive' : 'chord'),
        nodes: n ? Number(n) : undefined,
      });
      return {};
    },
    pause: async () => (lab.togglePause(), {}),
    step: async ([ms]) => (await lab.step(ms === undefined ? undefined : num(ms, 'step')), {}),
    speed: async ([x]) => (lab.setSpeed(num(x, 'speed')), {}),
    select: async ([which]) => {
      if (!which) throw new Error('select: which node? an address, an id or #index');
      const n = lab.select(which);
      return { address: n.self.address, id: n.self.id.toString(16) };
    },
    health: async () => ({ ...lab.checkHealth() }),
    lookup: async ([key]) => {
      if (!key) throw new Error('lookup: which key?');
      const r = await lab.clock.settle(lab.selected.lookup(key));
      return { key: r.key, owner: r.owner.address, hops: r.hops, path: r.path.map((n) => n.address).join(' → ') };
    },
  };
}
