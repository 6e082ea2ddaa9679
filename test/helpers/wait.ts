/** Polls `cond` every `everyMs` until it holds or `ms` passed; returns whether it held. */
export async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, everyMs = 50): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return cond();
}
