/** One misbehaving client gets an error or a closed connection and never slows the others. */
import test from 'ava';
import { RawClient, request, sleep, startTracker } from './helpers.js';

const lookup = (rfc: number) => request(`LOOKUP RFC ${rfc} P2P-CI/1.0`, { Host: 'good', Port: 4000, Title: '' });

/** Round trips of a well-behaved client: returns the slowest, in ms. */
async function goodClientRounds(port: number, rounds: number): Promise<{ worstMs: number; ok: number }> {
  const c = await RawClient.open(port);
  let worstMs = 0;
  let ok = 0;
  try {
    c.send(request('ADD RFC 1 P2P-CI/1.0', { Host: 'good', Port: 4000, Title: 'one' }));
    await c.readResponse();
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      c.send(lookup(1));
      const a = await c.readResponse(2000);
      worstMs = Math.max(worstMs, performance.now() - t0);
      if (a.status === 200 && a.lines[0] === 'RFC 1 one good 4000') ok++;
    }
  } finally {
    c.close();
  }
  return { worstMs, ok };
}

test('a line longer than the limit gets 400 and a close', async (t) => {
  const tr = await startTracker();
  const c = await RawClient.open(tr.port);
  try {
    c.send(`ADD RFC 1 P2P-CI/1.0\r\nTitle: ${'x'.repeat(20_000)}`);
    t.is((await c.readResponse()).status, 400);
    t.true(await c.waitClosed());
  } finally {
    c.close();
    await tr.close();
  }
});

test('binary garbage gets 400 and the connection lives only as long as framing holds', async (t) => {
  const tr = await startTracker();
  const c = await RawClient.open(tr.port);
  try {
    c.send(Buffer.from([0xff, 0xfe, 0x01, 0x02, 0x0a, 0x0a]));
    t.is((await c.readResponse()).status, 400);
    c.send(Buffer.alloc(10_000, 0x07));
    t.is((await c.readResponse()).status, 400);
    t.true(await c.waitClosed());
  } finally {
    c.close();
    await tr.close();
  }
});

test('a stalled half-sent line gets 400 and a close after stallMs', async (t) => {
  const tr = await startTracker({ stallMs: 300 });
  const c = await RawClient.open(tr.port);
  try {
    const t0 = Date.now();
    c.send('ADD RFC 1 P2P-CI/1.0\r\nHost: slo');
    t.is((await c.readResponse(2000)).status, 400);
    t.true(await c.waitClosed());
    t.true(Date.now() - t0 >= 250, 'not before the stall time');
  } finally {
    c.close();
    await tr.close();
  }
});

test('connections beyond the per-IP limit are refused at once', async (t) => {
  const tr = await startTracker({ maxConnsPerIp: 3 });
  const held = await Promise.all([1, 2, 3].map(() => RawClient.open(tr.port)));
  const extra = await RawClient.open(tr.port);
  try {
    t.true(await extra.waitClosed(2000), 'fourth connection closed');
    held[0]!.send(request('LIST ALL P2P-CI/1.0', { Host: 'h', Port: 1 }));
    t.is((await held[0]!.readResponse()).status, 200, 'the first three still work');
    held[1]!.close();
    await sleep(100);
    const again = await RawClient.open(tr.port);
    again.send(request('LIST ALL P2P-CI/1.0', { Host: 'h', Port: 2 }));
    t.is((await again.readResponse()).status, 200, 'a freed slot can be used');
    again.close();
  } finally {
    for (const c of held) c.close();
    extra.close();
    await tr.close();
  }
});

test('garbage, a huge line, a stalled client and a non-reading flood do not slow a good client', async (t) => {
  const tr = await startTracker({ stallMs: 10_000 });
  const bad = await Promise.all([1, 2, 3, 4].map(() => RawClient.open(tr.port)));
  try {
    const baseline = await goodClientRounds(tr.port, 50);
    // Flood: tens of thousands of pipelined requests from a client that never reads.
    const flood = Buffer.from(lookup(1).repeat(2000));
    bad[0]!.socket.pause(); // never reads its answers
    const flooding = (async () => {
      for (let i = 0; i < 20; i++) {
        bad[0]!.send(flood);
        await sleep(5);
      }
    })();
    bad[1]!.send('P2P-CI/1.0 garbage here\r\n\0\0\0\r\n\r\n'.repeat(500));
    bad[2]!.send(`LOOKUP RFC 1 P2P-CI/1.0\r\nTitle: ${'y'.repeat(100_000)}`);
    bad[3]!.send('LOOKUP RFC 1 P2P-CI/1.0\r\nHost: half'); // and then nothing
    const loaded = await goodClientRounds(tr.port, 200);
    await flooding;
    t.log(`good client: worst ${baseline.worstMs.toFixed(1)} ms alone, ${loaded.worstMs.toFixed(1)} ms under attack`);
    t.is(baseline.ok, 50);
    t.is(loaded.ok, 200, 'every good request answered correctly');
    // Head-of-line blocking would cost seconds (the flood's whole backlog, or the stall timer).
    t.true(loaded.worstMs < 500, `slowest good round trip under load: ${loaded.worstMs.toFixed(1)} ms`);
    t.true(await bad[2]!.waitClosed(), 'huge line closed');
    t.false(bad[3]!.closed, 'a stalled client waits for its own timeout only');
  } finally {
    for (const c of bad) c.close();
    await tr.close();
  }
});
