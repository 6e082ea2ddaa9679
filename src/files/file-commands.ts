/** The headless (and console `:`) commands for files: put, get, keys, share, unshare, search, files. */
import type { CommandFn } from '../commands/command-fn.js';
import { P2pError } from '../wire/errors.js';
import type { FileService } from './file-service.js';

const usage = (text: string) => new P2pError('USAGE', `usage: ${text}`);

/** The commands fileCommands makes, known before the file service has started. */
export const FILE_COMMAND_NAMES = ['put', 'get', 'keys', 'share', 'unshare', 'search', 'files'] as const;

/** Paths and names may contain spaces: the rest of the line is one argument. */
export function fileCommands(files: FileService): Record<(typeof FILE_COMMAND_NAMES)[number], CommandFn> {
  return {
    put: async (args) => {
      if (!args.length) throw usage('put PATH');
      return { ...(await files.put(args.join(' '))) };
    },
    get: async (args) => {
      if (!args.length) throw usage('get NAME [OUTPATH]');
      const [name, out] = args.length > 1 ? [args.slice(0, -1).join(' '), args.at(-1)] : [args[0]!, undefined];
      return { ...(await files.get(name, out)) };
    },
    keys: async () => ({ ...files.keys() }),
    share: async (args) => {
      if (!args.length) throw usage('share PATH');
      return { ...(await files.share(args.join(' '))) };
    },
    unshare: async (args) => {
      if (!args.length) throw usage('unshare NAME');
      return { ...(await files.unshare(args.join(' '))) };
    },
    search: async (args) => ({ matches: await files.search(args.join(' ')) }),
    files: async () => ({ files: files.entries() }),
  };
}
