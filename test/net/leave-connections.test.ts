/**
 * A node that leaves closes its connections: a peer that still points at it (it missed the
 * `leaving`) sees the connection gone at once, so it neither vouches for it nor waits out a
 * timeout; its next request is answered NOT_IN_RING.
 */
import test from 'ava';
import { ChordNode } from '../../src/dht/chord-node.js';
import { checkRing } from '../../src/sim/ring-check.js';
import { TcpTransport } from '../../src/transport/tcp-transport.js';
import { waitFor } from '../helpers/wait.js';

test('a leaver closes the connections its peers hold to it', async (t) => {
  const transports: TcpTransport[] = [];
  const nodes = Array.from(
    { length: 3 },
    () =>
      new ChordNode({
        transport: (identity) => {
          const tr = new TcpTransport({ port: 0, identity });
          transports.push(tr);
          return tr;
        },
        stabilizeMs: 50,
      }),
  );
  try {
    for (const n of nodes) await n.start();
    for (const n of nodes.slice(1)) await n.join(nodes[0]!.self.address);
    const healthy = () => checkRing(nodes.filter((n) => n.member).map((n) => n.snapshot())).healthy;
    t.true(await waitFor(healthy, 10_000), 'three nodes form a ring');
    const [a, b] = [nodes[0]!, nodes[1]!];
    const ta = transports[0]!;
    await a.lookup('warm'); // a holds a connection to b (stabilization or this lookup)
    await ta.request(b.self.address, 'ping', {});
    const before = ta.connectionTag(b.self.address);
    t.not(before, null, 'a holds a connection to b');
    await b.leave();
    // Closed by b: a's tag for b changes (null, or a new connection's if a dialed b again since).
    t.true(await waitFor(() => ta.connectionTag(b.self.address) !== before, 5_000), 'b closed it when it left');
    const e = await t.throwsAsync(ta.request(b.self.address, 'neighbours', {}));
    t.regex(e!.message, /not part of a ring|NOT_IN_RING/i);
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }
});
