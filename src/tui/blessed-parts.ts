/**
 * The parts of blessed the console uses — the screen, the box, the terminfo reader and the
 * character-width tables — each loaded from its own file. blessed's index loads all 34 of its
 * widgets (images with a PNG decoder, a video player, a terminal emulator, forms, tables...)
 * and every start-up paid for parsing them and kept them in the heap; the idle console's
 * full collections then had that much more to walk. These are the same module instances the
 * index hands out (Node's module cache), so code that imports 'blessed' itself still agrees.
 */
import { createRequire } from 'node:module';
import type Blessed from 'blessed';

const require = createRequire(import.meta.url);

export const screen: typeof Blessed.screen = require('blessed/lib/widgets/screen');
export const box: typeof Blessed.box = require('blessed/lib/widgets/box');

/** blessed's terminfo reader and compiler (not in @types/blessed). */
export const Tput: { prototype: object } = require('blessed/lib/tput');

/** blessed's character-width tables (not in @types/blessed). */
export const unicode: { strWidth(s: string): number } = require('blessed/lib/unicode');
