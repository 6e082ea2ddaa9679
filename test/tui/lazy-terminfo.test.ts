import test from 'ava';
import blessed from 'blessed';
import { compileTerminfoLazily } from '../../src/tui/lazy-terminfo.js';

type Tput = Record<string, unknown> & { methods: Record<string, (...a: unknown[]) => unknown> };

const probe = (tp: Tput) =>
  Object.fromEntries(
    Object.keys(tp.methods)
      .filter((k) => typeof tp.methods[k] === 'function')
      .map((k) => {
        // Every capability, called the way blessed calls them: no parameters, and a cursor move with two.
        const call = (args: unknown[]) => {
          try {
            return String(tp.methods[k]!.call(tp, args));
          } catch (e) {
            return `throws ${(e as Error).message}`;
          }
        };
        return [k, [call([]), call([3, 7])]];
      }),
  );

test('capabilities compiled on first use give exactly what blessed compiles up front', (t) => {
  const Tput = (blessed as unknown as { Tput: new (o: object) => Tput }).Tput;
  const terminals = ['xterm-256color', 'xterm', 'screen', 'vt100'];
  const eager = terminals.map((terminal) => probe(new Tput({ terminal })));
  compileTerminfoLazily();
  terminals.forEach((terminal, i) => {
    t.true(Object.keys(eager[i]!).length > 100, `${terminal}: ${Object.keys(eager[i]!).length} capabilities`);
    t.deepEqual(probe(new Tput({ terminal })), eager[i], terminal);
  });
});
