import test from 'ava';
import { attachFileService } from '../../src/cli/attach-file-service.js';
import type { CommandFn } from '../../src/commands/command-fn.js';
import type { PeerNode } from '../../src/files/peer-node.js';
import type { Peer } from '../../src/files/start-file-service.js';

function fakeNode() {
  const logged: string[] = [];
  const started = { node: { log: (_l: string, _t: string, m: string) => void logged.push(m) } } as unknown as PeerNode;
  return { started, logged };
}

test('a file command typed while the file service starts waits for it, then runs', async (t) => {
  const { started } = fakeNode();
  const commands: Record<string, CommandFn> = {};
  let finish: (p: Peer) => void = () => undefined;
  const peer = {
    files: { put: async (path: string) => ({ name: path, sha256: 'ab12' }), publishState: () => undefined },
  } as unknown as Peer;
  const attaching = attachFileService(
    started,
    commands,
    { extra: async () => ({ extra: true }) },
    () => undefined,
    () => new Promise<Peer>((resolve) => (finish = resolve)),
  );
  t.truthy(commands.put, 'put is known before the service has started');
  let answered = false;
  const reply = commands.put!(['notes.txt']).then((r) => ((answered = true), r));
  await new Promise((r) => setTimeout(r, 20));
  t.false(answered, 'it waits for the service');
  finish(peer);
  await attaching;
  t.deepEqual(await reply, { name: 'notes.txt', sha256: 'ab12' });
  t.deepEqual(await commands.extra!([]), { extra: true }, 'extra commands are added after the file commands');
});

test('when the file service does not start, a waiting file command fails with NOT_READY and the log says why', async (t) => {
  const { started, logged } = fakeNode();
  const commands: Record<string, CommandFn> = {};
  const attaching = attachFileService(
    started,
    commands,
    {},
    () => undefined,
    () => Promise.reject(new Error('database is locked')),
  );
  const reply = commands.get!(['notes.txt']);
  await attaching;
  const e = await t.throwsAsync(reply);
  t.is((e as { code?: string }).code, 'NOT_READY');
  t.true(logged.some((l) => l.includes('database is locked')));
});
