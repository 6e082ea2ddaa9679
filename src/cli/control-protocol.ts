/**
 * The control socket's protocol: JSON lines both ways. A client sends requests with an `id`;
 * the daemon answers each with the same `id`. After `subscribe` the daemon also pushes every
 * bus event (`event`, `payload`) and, with events that change the node, its fresh `state`.
 *
 * Requests:
 *   {id, op: 'cmd', cmd, args}            a headless command; answered {id, reply: {cmd, ok, ...}}
 *   {id, op: 'subscribe', history}        answered {id, hello: Hello}, then events
 *   {id, op: 'stabilization', action, ms} pause | resume | step | interval; answered {id, state}
 */
import { z } from 'zod';
import type { BusEventName } from '../bus/events.js';
import type { NodeSnapshot } from '../dht/chord-node.js';

export const requestSchema = z.discriminatedUnion('op', [
  z.object({ id: z.number(), op: z.literal('cmd'), cmd: z.string().min(1), args: z.array(z.string()).default([]) }),
  z.object({ id: z.number(), op: z.literal('subscribe'), history: z.boolean().default(true) }),
  z.object({
    id: z.number(),
    op: z.literal('stabilization'),
    action: z.enum(['pause', 'resume', 'step', 'interval']),
    ms: z.number().int().min(10).max(3_600_000).optional(),
  }),
]);

export type ControlRequest = z.infer<typeof requestSchema>;
export type ControlRequestInput = z.input<typeof requestSchema>;

export interface StabilizationState {
  readonly paused: boolean;
  readonly intervalMs: number;
  readonly effectiveMs: number;
}

/** What the node looks like now: a snapshot with fingers, and its stabilization timer. */
export interface NodeState {
  readonly snapshot: NodeSnapshot;
  readonly stabilization: StabilizationState;
}

export interface RecordedEvent {
  readonly name: BusEventName;
  readonly payload: unknown;
}

export interface Hello {
  readonly pid: number;
  readonly state: NodeState;
  /** The daemon's command names (headless commands). */
  readonly commands: readonly string[];
  /** Recent events, oldest first: log lines, stabilization rounds, transfers, latest service states. */
  readonly history: readonly RecordedEvent[];
}

/** A line from the daemon. */
export interface ControlMessage {
  readonly id?: number;
  readonly reply?: Record<string, unknown>;
  readonly hello?: Hello;
  readonly state?: NodeState;
  readonly event?: BusEventName;
  readonly payload?: unknown;
  readonly error?: string;
}
