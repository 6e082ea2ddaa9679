/** The console's file service: started after the screen is up, its commands usable at once. */
import type { CommandFn } from '../commands/command-fn.js';
import { FILE_COMMAND_NAMES } from '../files/file-commands.js';
import type { PeerNode } from '../files/peer-node.js';
import type { Peer } from '../files/start-file-service.js';
import { P2pError } from '../wire/errors.js';

/** Starts the file service on a node (the real one loads storage and hashes the shared folder). */
export type StartFiles = (started: PeerNode) => Promise<Peer>;

const startFiles: StartFiles = async (started) => (await import('../files/start-file-service.js')).attachFiles(started);

/**
 * Starts the file service on the node and adds its commands (and `extra` ones after them); the
 * console runs on without it if it fails. Until it has started, a file command typed already
 * waits for it instead of being unknown, and fails with NOT_READY if it never starts.
 */
export async function attachFileService(
  started: PeerNode,
  commands: Record<string, CommandFn>,
  extra: Readonly<Record<string, CommandFn>>,
  attached: (peer: Peer) => void,
  start: StartFiles = startFiles,
): Promise<void> {
  let ready: (ok: boolean) => void = () => undefined;
  const starting = new Promise<boolean>((resolve) => (ready = resolve));
  for (const name of FILE_COMMAND_NAMES) {
    commands[name] = async (args) => {
      if (!(await starting)) throw new P2pError('NOT_READY', 'the file service did not start (see the log)');
      return commands[name]!(args);
    };
  }
  try {
    const { fileCommands } = await import('../files/file-commands.js');
    const peer = await start(started);
    attached(peer);
    Object.assign(commands, fileCommands(peer.files), extra);
    peer.files.publishState();
    ready(true);
  } catch (e) {
    started.node.log('error', 'files', `the file service did not start: ${(e as Error).message}`);
    ready(false);
  }
}
