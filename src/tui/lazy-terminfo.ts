/**
 * blessed compiles every string capability of the terminal's terminfo entry into a JavaScript
 * function when a screen is created: several hundred `new Function`s, ~17 ms here, for the few
 * dozen the console ever sends. This makes each one compile on its first use instead.
 *
 * Safe because blessed's compiler turns every string capability into a function (a no-op for
 * an empty or absent one), so a function that compiles and then calls is the same thing to its
 * callers; booleans and numbers are left as they are. neo-blessed 0.2.0 is the version pinned.
 */
import { Tput } from './blessed-parts.js';

type Compile = (this: unknown, info: unknown, key: string, str: unknown) => unknown;

let installed = false;

export function compileTerminfoLazily(): void {
  if (installed) return;
  installed = true;
  const proto = Tput.prototype as { _compile: Compile };
  const compile = proto._compile;
  proto._compile = function (info, key, str) {
    if (typeof str !== 'string' || !str) return compile.call(this, info, key, str);
    let fn: ((...args: unknown[]) => unknown) | null = null;
    const self = this;
    return function (this: unknown, ...args: unknown[]) {
      fn ??= compile.call(self, info, key, str) as (...args: unknown[]) => unknown;
      return fn.apply(this, args);
    };
  };
}
