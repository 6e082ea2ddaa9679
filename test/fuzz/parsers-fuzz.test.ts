/** Property-based fuzzing of the parsers of hostile bytes (see fuzz-properties.ts): zero crashes. */
import test from 'ava';
import fc from 'fast-check';
import { manifests, p2pci, randomBytes, wireFrames } from './fuzz-properties.js';

// A fixed seed keeps the test deterministic; the benchmark explores with fresh seeds.
const options = { numRuns: 1500, seed: 1313 };

for (const [name, property] of Object.entries({ wireFrames, randomBytes, manifests, p2pci })) {
  test(`${name}: random and mutated inputs never crash the parser`, (t) => {
    t.notThrows(() => fc.assert(property as fc.IProperty<unknown[]>, options));
  });
}
