/**
 * The owner check of a lookup (dht/route.ts) with the last hop's vouch: a fresh vouch saves the
 * RPC to the owner, a vouch naming a node between the key and the owner leads to that node, and
 * a stale or missing vouch falls back to asking the owner itself.
 */
import test from 'ava';
import { createState, setSuccessors } from '../../src/core/chord-state.js';
import { OWNER_VOUCH_MAX_AGE_MS } from '../../src/core/constants.js';
import type { NodeRef } from '../../src/core/node-ref.js';
import { route } from '../../src/dht/route.js';
import { toWire } from '../../src/dht/wire-refs.js';
import type { Transport } from '../../src/transport/transport.js';
import type { RequestType, ResponseBody } from '../../src/wire/messages.js';

const ref = (id: number): NodeRef => ({ id: BigInt(id), address: `n${id}:1` });
const A = ref(10); // asks
const H = ref(100); // the last hop
const J = ref(170); // joined between the key and O
const O = ref(200); // H's successor
const KEY = 150n;

/** A transport answering from a script (`type address` → reply), recording what was asked. */
function scripted(replies: Record<string, unknown>): { transport: Transport; asked: string[] } {
  const asked: string[] = [];
  const transport: Transport = {
    listen: async () => A.address,
    close: async () => undefined,
    request: async <T extends RequestType>(to: string, type: T): Promise<ResponseBody<T>> => {
      asked.push(`${type} ${to}`);
      const r = replies[`${type} ${to}`];
      if (r === undefined) throw new Error(`no reply scripted for ${type} ${to}`);
      return r as ResponseBody<T>;
    },
  };
  return { transport, asked };
}

function asker() {
  const st = createState(A, 8, 'chord', 4);
  setSuccessors(st, H, []);
  return st;
}

const lastStep = (vouch: unknown) => ({ done: true, node: toWire(O), vouch });
const neighbours = (pred: NodeRef) => ({ predecessor: toWire(pred), successors: [] });

test('a fresh vouch whose predecessor is before the key confirms the owner without asking it', async (t) => {
  const { transport, asked } = scripted({
    [`find_step ${H.address}`]: lastStep({ predecessor: toWire(H), ageMs: 300, asked: false }),
  });
  const r = await route(asker(), transport, KEY, null, 10, undefined, { verify: true });
  t.is(r.owner.address, O.address);
  t.deepEqual(asked, [`find_step ${H.address}`]);
  t.is(r.rpcs, 1);
});

test('a vouch that makes the last hop ask its successor counts that RPC', async (t) => {
  const { transport } = scripted({
    [`find_step ${H.address}`]: lastStep({ predecessor: toWire(H), ageMs: 0, asked: true }),
  });
  const r = await route(asker(), transport, KEY, null, 10, undefined, { verify: true });
  t.is(r.owner.address, O.address);
  t.is(r.rpcs, 2);
});

test('a vouch naming a predecessor between the key and the owner leads to that node, which owns the key', async (t) => {
  const { transport, asked } = scripted({
    [`find_step ${H.address}`]: lastStep({ predecessor: toWire(J), ageMs: 100, asked: false }),
    [`neighbours ${J.address}`]: neighbours(H),
  });
  const r = await route(asker(), transport, KEY, null, 10, undefined, { verify: true });
  t.is(r.owner.address, J.address);
  t.deepEqual(asked, [`find_step ${H.address}`, `neighbours ${J.address}`]);
});

test('a stale vouch, or none, and the owner is asked itself', async (t) => {
  for (const vouch of [{ predecessor: toWire(H), ageMs: OWNER_VOUCH_MAX_AGE_MS + 1, asked: false }, null, undefined]) {
    const { transport, asked } = scripted({
      [`find_step ${H.address}`]: lastStep(vouch),
      [`neighbours ${O.address}`]: neighbours(J),
      [`neighbours ${J.address}`]: neighbours(H),
    });
    const r = await route(asker(), transport, KEY, null, 10, undefined, { verify: true });
    t.is(r.owner.address, J.address, `vouch ${JSON.stringify(vouch)}`);
    t.deepEqual(asked, [`find_step ${H.address}`, `neighbours ${O.address}`, `neighbours ${J.address}`]);
  }
});
