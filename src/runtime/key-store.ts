// Issuer key store: the DSC's hybrid signing keys under `<dataDir>/keys/`, one directory per key id,
// private keys PKCS#8 PEM mode 0600, public keys SPKI PEM, and a `current` pointer (§14a.3).

import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  generateIssuerKeyPair,
  type IssuerKeyPair,
  type IssuerKeys,
  type KeyPairObjects,
  type VerificationKeys,
  verificationKeys,
} from '../kernel/token/index.ts';
import {
  type Clock,
  ERROR_CODES,
  err,
  fail,
  isKernelError,
  isUuidv7,
  KernelError,
  ok,
  type Random,
  type Result,
  uuidv7,
} from '../shared/index.ts';
import { writeNewFileDurable } from './durable-file.ts';

const KEYS_DIR = 'keys';
const CURRENT = 'current';
const RETIRED = 'retired';
const ALGS = [
  { file: 'ed25519', type: 'ed25519' },
  { file: 'ml-dsa-65', type: 'ml-dsa-65' },
] as const;
const CHECK_MODES = process.platform !== 'win32';

/** Loads the issuer keys, creating the store and a first key when there is none. */
export async function loadOrCreateIssuerKeys(
  dataDir: string,
  clock: Clock,
  random: Random,
): Promise<Result<IssuerKeys, KernelError>> {
  return guard(async () => {
    const dir = await ensureKeysDir(dataDir);
    if ((await readCurrent(dir)) === undefined) await writeCurrent(dir, await createKey(dir, clock, random));
    return loadFrom(dir);
  });
}

/** Loads the issuer keys of an existing store; a missing store is a KEY_STORE error. */
export async function loadIssuerKeys(dataDir: string): Promise<Result<IssuerKeys, KernelError>> {
  return guard(() => loadFrom(join(dataDir, KEYS_DIR)));
}

/**
 * Makes a new current key. Older keys stay valid for verification until retired, so tokens
 * minted under them keep verifying while new tokens name the new kid.
 */
export async function rotateIssuerKey(
  dataDir: string,
  clock: Clock,
  random: Random,
): Promise<Result<IssuerKeys, KernelError>> {
  return guard(async () => {
    const dir = await ensureKeysDir(dataDir);
    await writeCurrent(dir, await createKey(dir, clock, random));
    return loadFrom(dir);
  });
}

/** Stops accepting tokens under `kid` and deletes its private keys. The current key cannot be retired. */
export async function retireIssuerKey(
  dataDir: string,
  kid: string,
): Promise<Result<IssuerKeys, KernelError>> {
  return guard(async () => {
    const dir = join(dataDir, KEYS_DIR);
    if (!isKeyId(kid)) throw new KernelError(ERROR_CODES.KEY_STORE, `\`${kid}\` is not a key id`);
    if ((await readCurrent(dir)) === kid) {
      throw new KernelError(ERROR_CODES.KEY_STORE, `key \`${kid}\` is current; rotate before retiring it`);
    }
    await stat(join(dir, kid));
    await writeFile(join(dir, kid, RETIRED), '', { mode: 0o600 });
    for (const alg of ALGS) await rm(join(dir, kid, `${alg.file}.key`), { force: true });
    return loadFrom(dir);
  });
}

async function loadFrom(dir: string): Promise<IssuerKeys> {
  await checkMode(dir, 'key directory');
  const currentKid = await readCurrent(dir);
  if (currentKid === undefined) throw new KernelError(ERROR_CODES.KEY_STORE, 'key store has no current key');
  const publicKeys = new Map<string, VerificationKeys>();
  let current: IssuerKeyPair | undefined;
  for (const kid of (await readdir(dir)).filter((name) => isKeyId(name)).sort()) {
    if (await exists(join(dir, kid, RETIRED))) continue;
    const pair = await readPair(dir, kid);
    publicKeys.set(kid, verificationKeys(pair.ed25519.publicKey, pair.mlDsa65.publicKey));
    if (kid === currentKid) current = pair;
  }
  if (current === undefined) {
    throw new KernelError(ERROR_CODES.KEY_STORE, `current key \`${currentKid}\` is missing or retired`);
  }
  return { current, publicKeys };
}

async function readPair(dir: string, kid: string): Promise<IssuerKeyPair> {
  const ed25519 = await readKeyPair(join(dir, kid), ALGS[0]);
  const mlDsa65 = await readKeyPair(join(dir, kid), ALGS[1]);
  return { kid, ed25519, mlDsa65 };
}

async function readKeyPair(dir: string, alg: (typeof ALGS)[number]): Promise<KeyPairObjects> {
  const privatePath = join(dir, `${alg.file}.key`);
  await checkMode(privatePath, 'private key');
  const privatePem = await readFile(privatePath, 'utf8');
  const publicPem = await readFile(join(dir, `${alg.file}.pub`), 'utf8');
  let privateKey: KeyObject;
  let publicKey: KeyObject;
  try {
    privateKey = createPrivateKey(privatePem);
    publicKey = createPublicKey(publicPem);
  } catch {
    throw new KernelError(ERROR_CODES.KEY_STORE, `\`${dir}\` holds an unreadable ${alg.type} key`);
  }
  if (privateKey.asymmetricKeyType !== alg.type || publicKey.asymmetricKeyType !== alg.type) {
    throw new KernelError(ERROR_CODES.KEY_STORE, `\`${privatePath}\` is not an ${alg.type} key`);
  }
  const derived = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  if (!derived.equals(publicKey.export({ type: 'spki', format: 'der' }))) {
    throw new KernelError(ERROR_CODES.KEY_STORE, `public key beside \`${privatePath}\` does not match it`);
  }
  return { privateKey, publicKey };
}

async function createKey(dir: string, clock: Clock, random: Random): Promise<string> {
  const kid = `k-${uuidv7(clock, random)}`;
  const pair = generateIssuerKeyPair(kid);
  const staging = join(dir, `.staging-${kid}`);
  await mkdir(staging, { mode: 0o700 });
  for (const [alg, keys] of [
    [ALGS[0], pair.ed25519],
    [ALGS[1], pair.mlDsa65],
  ] as const) {
    const privatePem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' });
    const publicPem = keys.publicKey.export({ type: 'spki', format: 'pem' });
    await writeNewFileDurable(join(staging, `${alg.file}.key`), String(privatePem), 0o600);
    await writeNewFileDurable(join(staging, `${alg.file}.pub`), String(publicPem), 0o644);
  }
  // WHY: a key directory appears complete or not at all.
  await rename(staging, join(dir, kid));
  return kid;
}

async function ensureKeysDir(dataDir: string): Promise<string> {
  const dir = join(dataDir, KEYS_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  return dir;
}

async function readCurrent(dir: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, CURRENT), 'utf8');
  } catch (error) {
    if (isErrno(error) && error.code === 'ENOENT') return undefined;
    throw error;
  }
  const kid = text.trim();
  if (!isKeyId(kid)) throw new KernelError(ERROR_CODES.KEY_STORE, 'the `current` pointer names no key id');
  return kid;
}

async function writeCurrent(dir: string, kid: string): Promise<void> {
  const staging = join(dir, `.${CURRENT}-${kid}`);
  await writeNewFileDurable(staging, `${kid}\n`, 0o600);
  await rename(staging, join(dir, CURRENT));
}

async function checkMode(path: string, what: string): Promise<void> {
  if (!CHECK_MODES) return;
  const info = await stat(path);
  if ((info.mode & 0o077) !== 0) {
    const mode = (info.mode & 0o777).toString(8);
    throw new KernelError(
      ERROR_CODES.KEY_STORE,
      `${what} \`${path}\` is accessible to others (mode ${mode})`,
    );
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (isErrno(error) && error.code === 'ENOENT') return false;
    throw error;
  }
}

async function guard(run: () => Promise<IssuerKeys>): Promise<Result<IssuerKeys, KernelError>> {
  try {
    return ok(await run());
  } catch (error) {
    if (isKernelError(error)) return err(error);
    if (isErrno(error)) {
      const code = error.code === 'ENOENT' ? ERROR_CODES.KEY_STORE : ERROR_CODES.IO;
      return fail(code, `key store: ${error.code ?? 'io'} on \`${error.path ?? '?'}\``);
    }
    throw error;
  }
}

/** A failed system call (it names one), as opposed to a parse or crypto error that carries a code. */
function isErrno(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

/** Key ids are `k-` and a UUIDv7. */
function isKeyId(name: string): boolean {
  return name.startsWith('k-') && isUuidv7(name.slice(2));
}
