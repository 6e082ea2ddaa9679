/**
 * A private network's secret: a file of random bytes (hex) every member holds. The TLS key is
 * derived from it with HKDF-SHA256, so the file's bytes are never used as a key directly and
 * one secret could later key other protocols under other labels.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { P2pError } from '../wire/errors.js';

/** Bytes of a fresh secret (256 bits). */
export const SECRET_BYTES = 32;
/** Shortest secret accepted (128 bits): a shorter one could be guessed offline from a handshake. */
const MIN_SECRET_BYTES = 16;
const HKDF_SALT = 'p2pterm private network';
const HKDF_INFO = 'p2pterm tls 1.3 psk v1';

/** A secret that is missing, unreadable or too short. */
export class SecretError extends P2pError {
  constructor(message: string) {
    super('SECRET', message);
  }
}

/** Secret text as bytes: hex (what keygen writes) is decoded; other text is taken as it is. */
export function parseSecret(text: string): Buffer {
  const t = text.trim();
  const bytes = /^([0-9a-fA-F]{2})+$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'utf8');
  if (bytes.length < MIN_SECRET_BYTES)
    throw new SecretError(
      `the network secret is too short: ${bytes.length} bytes, at least ${MIN_SECRET_BYTES} needed`,
    );
  return bytes;
}

/** The 32-byte TLS pre-shared key of the network whose secret is `secret`. */
export function networkKey(secret: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, HKDF_SALT, HKDF_INFO, 32));
}

/** Reads a secret file and derives the network key. */
export async function readNetworkKey(path: string): Promise<Buffer> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new SecretError(`cannot read the secret file ${path}: ${(e as Error).message}`);
  }
  return networkKey(parseSecret(text));
}

/** A fresh secret as hex text (with a final newline), from the system's CSPRNG. */
export function newSecretText(): string {
  return `${randomBytes(SECRET_BYTES).toString('hex')}\n`;
}

/** Writes a fresh secret to `path` (mode 0600); refuses to overwrite unless `force`. */
export async function writeSecretFile(path: string, force = false): Promise<void> {
  try {
    await writeFile(path, newSecretText(), { mode: 0o600, flag: force ? 'w' : 'wx' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new SecretError(`${path} already exists (keygen --force replaces it)`);
    throw new SecretError(`cannot write ${path}: ${(e as Error).message}`);
  }
}
