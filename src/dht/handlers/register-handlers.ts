/** Registers the Chord node's own message handlers, by message type (one file per handler). */
import type { NodeContext } from '../node-context.js';
import { findStepHandler } from './find-step.js';
import { fromConcernedNode } from './from-concerned-node.js';
import { fingersHandler } from './fingers.js';
import { leavingHandler } from './leaving.js';
import { neighboursHandler } from './neighbours.js';
import { notifyHandler } from './notify.js';
import { pingHandler } from './ping.js';
import { stabilizeNowHandler } from './stabilize-now.js';

export function registerHandlers(ctx: NodeContext): void {
  ctx.handle('ping', pingHandler(ctx));
  ctx.handle('neighbours', neighboursHandler(ctx));
  ctx.handle('find_step', findStepHandler(ctx));
  ctx.handle('notify', fromConcernedNode(ctx, 'notify', notifyHandler(ctx)));
  ctx.handle('fingers', fingersHandler(ctx));
  ctx.handle('leaving', fromConcernedNode(ctx, 'leaving', leavingHandler(ctx)));
  ctx.handle('stabilize_now', stabilizeNowHandler(ctx));
}
