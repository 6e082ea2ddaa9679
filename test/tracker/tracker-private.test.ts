/** A private tracker: members (PSK TLS under the network key) are served; plain P2P-CI and outsiders are refused with the reason. */
import test from 'ava';
import { networkKey, parseSecret } from '../../src/transport/network-secret.js';
import { TrackerClient } from '../../src/tracker/tracker-client.js';
import { RawClient, request, startTracker, waitFor } from './helpers.js';

const KEY = networkKey(parseSecret('ab'.repeat(32)));
const OTHER = networkKey(parseSecret('cd'.repeat(32)));
const SHA = 'a'.repeat(64);

test('members register, announce and search over the encrypted link', async (t) => {
  const tr = await startTracker({ networkKey: KEY });
  const a = new TrackerClient({ address: `127.0.0.1:${tr.port}`, networkKey: KEY });
  const b = new TrackerClient({ address: `127.0.0.1:${tr.port}`, networkKey: KEY });
  try {
    await a.connect();
    await a.register('10.0.0.5', 6001);
    await a.announce([{ name: 'notes.txt', size: 12, sha256: SHA }]);
    await b.connect();
    const found = await b.search('notes');
    t.is(found.length, 1);
    t.deepEqual(found[0]!.sources, [{ host: '10.0.0.5', port: 6001, online: true, kind: 'p2pterm' }]);
  } finally {
    await a.close();
    await b.close();
    await tr.close();
  }
});

test('plain P2P-CI gets a 400 with the reason; the tracker logs it', async (t) => {
  const tr = await startTracker({ networkKey: KEY });
  const p2pci = await RawClient.open(tr.port);
  try {
    p2pci.send(request('LIST ALL P2P-CI/1.0', { Host: 'ci', Port: 7001 }));
    const head = await p2pci.read((buf) => {
      const end = buf.indexOf('\r\n\r\n');
      return end < 0 ? null : { value: buf.subarray(0, end).toString(), used: end + 4 };
    });
    t.regex(head, /^P2P-CI\/1\.0 400 Bad Request\r\nReason: .*does not share this network's secret/);
    t.true(await waitFor(() => tr.logs.some((l) => /refusing .*does not share this network's secret/.test(l)), 3000));
  } finally {
    p2pci.socket.destroy();
    await tr.close();
  }
});

test('a client without the key, or with another, cannot connect and is told why', async (t) => {
  const tr = await startTracker({ networkKey: KEY });
  try {
    for (const key of [undefined, OTHER]) {
      const c = new TrackerClient({ address: `127.0.0.1:${tr.port}`, networkKey: key, requestTimeoutMs: 2000 });
      try {
        const outcome = await c
          .connect()
          .then(() => c.search('x'))
          .then(
            () => 'served',
            (e: Error) => e.message,
          );
        t.regex(outcome, /does not share this network's secret/);
      } finally {
        await c.close();
      }
    }
    t.true(tr.logs.filter((l) => /refusing .*does not share this network's secret/.test(l)).length >= 2);
  } finally {
    await tr.close();
  }
});

test('an open tracker still serves plain P2P-CI', async (t) => {
  const tr = await startTracker();
  const p2pci = await RawClient.open(tr.port);
  try {
    p2pci.send(request('LIST ALL P2P-CI/1.0', { Host: 'ci', Port: 7001 }));
    t.is((await p2pci.readResponse()).status, 200);
  } finally {
    p2pci.socket.destroy();
    await tr.close();
  }
});
