/**
 * Which private network, if any, a node or tracker belongs to: `--secret-file PATH`, else the
 * `P2PTERM_SECRET` environment variable (the secret itself, for scripts), else `secretFile` in
 * the config file; none of them means an open network.
 */
import { readFileSync } from 'node:fs';
import { networkKey, parseSecret, SecretError } from '../transport/network-secret.js';
import { settingsPath } from '../tui/settings.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The network key, or undefined for an open network. Throws SecretError with the reason. */
export function resolveNetworkKey(secretFile: string | undefined, env: Env = process.env): Buffer | undefined {
  if (secretFile) return networkKey(parseSecret(readSecret(secretFile)));
  if (env.P2PTERM_SECRET) return networkKey(parseSecret(env.P2PTERM_SECRET));
  const configured = configuredSecretFile(env);
  return configured ? networkKey(parseSecret(readSecret(configured))) : undefined;
}

function readSecret(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new SecretError(`cannot read the secret file ${path}: ${(e as Error).message}`);
  }
}

/** `secretFile` from the config file, when the file exists and names one. */
function configuredSecretFile(env: Env): string | undefined {
  let text: string;
  try {
    text = readFileSync(settingsPath(env), 'utf8');
  } catch {
    return undefined; // no config file: nothing configured
  }
  let value: unknown;
  try {
    value = (JSON.parse(text) as { secretFile?: unknown }).secretFile;
  } catch (e) {
    // A corrupt config is otherwise ignored (see settings.ts), but one that names a secret
    // must not start the node on an open network by accident.
    if (!text.includes('secretFile')) return undefined;
    throw new SecretError(`cannot read secretFile from ${settingsPath(env)}: ${(e as Error).message}`);
  }
  return typeof value === 'string' && value !== '' ? value : undefined;
}
