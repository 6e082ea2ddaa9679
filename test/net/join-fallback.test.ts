/**
 * `--join A,B,…`: a join tries the members in order and passes over one that does not answer
 * (it left or died since the list was written); the node says which it passed over.
 */
import test from 'ava';
import { createTcpNode } from '../../src/dht/create-tcp-node.js';
import { joinVnodes } from '../../src/dht/vnode-group.js';
import { freePort } from '../helpers/headless-proc.js';

test('a join passes over a member that does not answer and joins through the next', async (t) => {
  const member = await createTcpNode({ port: 0, stabilizeMs: 50 });
  const joiner = await createTcpNode({ port: 0, stabilizeMs: 50 });
  const logs: string[] = [];
  joiner.bus.on('log:line', (l) => logs.push(l.message));
  try {
    const gone = `127.0.0.1:${await freePort()}`; // nothing listens there
    await joinVnodes([joiner], `${gone},${member.self.address}`);
    t.is(joiner.snapshot().successors[0]?.address, member.self.address);
    t.true(
      logs.some((l) => l.includes(gone) && l.includes(`trying ${member.self.address}`)),
      logs.join('\n'),
    );
  } finally {
    await Promise.all([member.stop(), joiner.stop()]);
  }
});

test('a join through members none of which answers fails with the last one’s reason', async (t) => {
  const joiner = await createTcpNode({ port: 0, stabilizeMs: 50 });
  try {
    const [a, b] = [`127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`];
    const e = await t.throwsAsync(joinVnodes([joiner], `${a},${b}`));
    t.regex(e!.message, new RegExp(`cannot join through ${b}`));
    t.is(joiner.snapshot().successors[0]?.address, joiner.self.address, 'still a ring of its own');
  } finally {
    await joiner.stop();
  }
});
