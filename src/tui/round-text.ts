/**
 * A stabilization round (or a notify) in words: a short label for each pointer it moved, and
 * the detail view's lines (every change from what to what, and the message or timeout that
 * caused it). Plain text: the pane escapes and colours it.
 */
import type { PointerChange, StabilizeOutcome } from '../bus/events.js';
import type { NodeRefJson } from '../core/node-ref.js';
import { clockTime } from './format.js';

/** How a node is named: 'me', a short id, or 'none'. */
export type NameOf = (n: NodeRefJson | null) => string;

/** "succ", "pred", "list[2]", "finger 5". */
export function pointerLabel(c: PointerChange): string {
  if (c.pointer === 'successor') return 'succ';
  if (c.pointer === 'predecessor') return 'pred';
  if (c.pointer === 'successor-list') return `list[${c.index ?? '?'}]`;
  return `finger ${c.index ?? '?'}`;
}

/** "successor", "predecessor", "successor list [2]", "finger 5 (n+2^5)". */
function pointerName(c: PointerChange): string {
  if (c.pointer === 'successor-list') return `successor list [${c.index ?? '?'}]`;
  if (c.pointer === 'finger') return `finger ${c.index ?? '?'} (n+2^${c.index ?? '?'})`;
  return c.pointer;
}

/**
 * One line per cause: the pointers it moved ("succ a→b, list[2] c→d"), runs of fingers that
 * moved to one node as a range ("fingers 3-7 →b"), then the cause.
 */
export function changeLines(changes: readonly PointerChange[], name: NameOf, arrow: string): string[] {
  const byCause = new Map<string, PointerChange[]>();
  for (const c of changes) {
    const list = byCause.get(c.cause);
    if (list) list.push(c);
    else byCause.set(c.cause, [c]);
  }
  return [...byCause].map(([cause, list]) => `${moves(list, name, arrow).join(', ')}: ${cause}`);
}

function moves(list: readonly PointerChange[], name: NameOf, arrow: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const c = list[i]!;
    let j = i;
    while (c.pointer === 'finger' && list[j + 1]?.pointer === 'finger' && sameTo(list[j + 1]!, c)) j++;
    if (j > i) {
      out.push(`fingers ${c.index}-${list[j]!.index} ${arrow}${name(c.to)}`);
      i = j;
    } else out.push(`${pointerLabel(c)} ${name(c.from)}${arrow}${name(c.to)}`);
  }
  return out;
}

function sameTo(a: PointerChange, b: PointerChange): boolean {
  return (a.to?.address ?? null) === (b.to?.address ?? null);
}

/** The detail view of one round: when, what was asked, what moved and why, what else happened. */
export function roundDetail(o: StabilizeOutcome, name: NameOf, arrow: string): string[] {
  const full = (n: NodeRefJson | null) => (n ? `${name(n)} (${n.address}, id ${n.id})` : 'none');
  const lines = [`${o.trigger === 'notify' ? 'notify received' : 'round'} at ${clockTime(o.at)}`];
  if (o.trigger !== 'notify') {
    lines.push(`asked successor ${full(o.successor)} for its neighbours`);
    lines.push(`its predecessor: ${full(o.successorPredecessor)}; succ.pred == me? ${o.healthy ? 'yes' : 'no'}`);
  }
  const changes = o.changes ?? [];
  lines.push(
    '',
    changes.length ? `${changes.length} pointer${changes.length === 1 ? '' : 's'} moved:` : 'no pointer moved',
  );
  for (const c of changes) {
    lines.push(`${pointerName(c)}: ${full(c.from)} ${arrow} ${full(c.to)}`, `  because: ${c.cause}`);
  }
  if (o.trigger === 'notify') return lines;
  lines.push('');
  if (o.skippedDead.length) lines.push(`dead successors skipped: ${o.skippedDead.map((n) => n.address).join(', ')}`);
  lines.push(
    o.notifyNeeded === false
      ? 'notify: not needed (the successor already names this node as its predecessor)'
      : `notify sent to the successor: ${o.notified ? 'answered' : 'no answer'}`,
  );
  lines.push(`finger fixed: ${o.fingerFixed === null ? 'none this round' : `n+2^${o.fingerFixed}`}`);
  lines.push(`predecessor check: ${o.predecessorCheck}`);
  if (o.error) lines.push(`error: ${o.error}`);
  return lines;
}
