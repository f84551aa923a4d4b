// The data directory's daemon lock, `<dataDir>/daemon.lock`: at most one `maos start` (or other
// exclusive opener) per data directory. A lock whose owner died is taken over without a race.

import { randomBytes } from 'node:crypto';
import { link, mkdir, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ERROR_CODES, fail, type KernelError, ok, type Result } from '../shared/index.ts';
import { writeNewFileDurable } from './durable-file.ts';

export const DAEMON_LOCK_FILE = 'daemon.lock';

/** A held daemon lock. */
export type DaemonLock = {
  readonly file: string;
  readonly pid: number;
  readonly startedMs: number;
  /** Removes the lock file if it is still this lock's; safe to call more than once. */
  release(): Promise<void>;
};

type Owner = { readonly pid: number; readonly startedMs: number };
type Seen =
  | { readonly kind: 'gone' }
  | { readonly kind: 'malformed' }
  | { readonly kind: 'owner'; readonly owner: Owner; readonly text: string; readonly ino: number };
type Attempt = { readonly kind: 'acquired' } | { readonly kind: 'held'; readonly owner: Owner };

/** Takeover claims nested inside claims: each level needs a crash inside the level below's tiny window. */
const CLAIM_DEPTH_MAX = 3;
/** Rounds of waiting while another process finishes taking over a stale lock. */
const ROUNDS_MAX = 100;
const ROUND_WAIT_MS = 20;
const LOCK_BYTES_MAX = 1024;

/**
 * WHY: texts of lock files this process has published or is publishing. A lock naming our own pid
 * is only live if it is one of these; otherwise it was left by an earlier process that had the
 * same pid (a container's daemon is pid 1 after every restart) and is stale.
 */
const ownTexts = new Map<string, number>();

/**
 * Takes `<dataDir>/daemon.lock`, holding `{ pid, startedMs }`. When the file exists and its pid is
 * alive, fails with DAEMON_LOCKED naming the pid and the file. When its pid is dead the lock is
 * stale and is taken over: among any number of concurrent starters exactly one wins.
 *
 * INVARIANT: the lock file appears only complete (written to a private file, synced, then
 * hard-linked into place, which fails like O_EXCL when the name exists), and a stale lock with
 * owner X is removed only by the one process that exclusively created the claim file
 * `daemon.lock.X`; it re-reads the lock under that claim before removing it, so no starter can
 * remove a lock that another starter has just published.
 */
export async function acquireDaemonLock(dataDir: string): Promise<Result<DaemonLock, KernelError>> {
  const file = join(dataDir, DAEMON_LOCK_FILE);
  const owner: Owner = { pid: process.pid, startedMs: Date.now() };
  const text = `${JSON.stringify(owner)}\n`;
  const staging = join(dataDir, `${DAEMON_LOCK_FILE}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  ownTexts.set(text, (ownTexts.get(text) ?? 0) + 1);
  let attempt: Result<Attempt, KernelError>;
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await writeNewFileDurable(staging, text);
    attempt = await acquireFile(file, staging, 0);
  } catch (error) {
    attempt = fail(ERROR_CODES.IO, `cannot take the daemon lock \`${file}\`: ${(error as Error).message}`);
  } finally {
    await unlink(staging).catch(() => undefined);
  }
  if (!attempt.ok) {
    forget(text);
    return attempt;
  }
  if (attempt.value.kind === 'acquired') {
    return ok({ file, ...owner, release: once(() => releaseLock(file, text)) });
  }
  forget(text);
  const held = attempt.value.owner;
  return fail(
    ERROR_CODES.DAEMON_LOCKED,
    `the data directory is in use by process ${held.pid} (lock \`${file}\`); stop that daemon, or remove the file if no such process is a maos daemon`,
    { pid: held.pid, file },
  );
}

/** Publishes `staging` as `file`, taking over stale owners; recursion is the claim for a takeover. */
async function acquireFile(
  file: string,
  staging: string,
  depth: number,
): Promise<Result<Attempt, KernelError>> {
  let lastOwner: Owner | undefined;
  for (let round = 0; round < ROUNDS_MAX; round++) {
    if (await linkIfAbsent(staging, file)) return ok({ kind: 'acquired' });
    const seen = await readOwner(file);
    if (seen.kind === 'gone') continue;
    if (seen.kind === 'malformed') {
      return fail(
        ERROR_CODES.DAEMON_LOCKED,
        `the daemon lock \`${file}\` is not a valid lock file; remove it if no maos daemon is running`,
        { file },
      );
    }
    lastOwner = seen.owner;
    if (isAlive(seen)) return ok({ kind: 'held', owner: seen.owner });
    if (depth >= CLAIM_DEPTH_MAX) return ok({ kind: 'held', owner: seen.owner });
    const claim = `${file}.${seen.owner.pid}-${seen.owner.startedMs}`;
    const claimed = await acquireFile(claim, staging, depth + 1);
    if (!claimed.ok) return claimed;
    if (claimed.value.kind === 'held') {
      // Another live process is taking this stale lock over: wait for it to finish.
      await sleep(ROUND_WAIT_MS);
      continue;
    }
    try {
      const again = await readOwner(file);
      if (again.kind === 'owner' && again.text === seen.text && again.ino === seen.ino) await unlink(file);
    } finally {
      await unlink(claim).catch(() => undefined);
    }
  }
  return ok({ kind: 'held', owner: lastOwner ?? { pid: 0, startedMs: 0 } });
}

async function linkIfAbsent(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function readOwner(file: string): Promise<Seen> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'gone' };
    throw error;
  }
  try {
    const info = await handle.stat();
    if (info.size > LOCK_BYTES_MAX) return { kind: 'malformed' };
    const text = await handle.readFile('utf8');
    const owner = parseOwner(text);
    return owner === undefined ? { kind: 'malformed' } : { kind: 'owner', owner, text, ino: info.ino };
  } finally {
    await handle.close();
  }
}

function parseOwner(text: string): Owner | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const { pid, startedMs } = value as Record<string, unknown>;
  // INVARIANT: only a positive pid is ever signalled; 0 and negatives address process groups.
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  if (typeof startedMs !== 'number' || !Number.isSafeInteger(startedMs)) return undefined;
  return { pid, startedMs };
}

function isAlive(seen: { readonly owner: Owner; readonly text: string }): boolean {
  if (seen.owner.pid === process.pid) return ownTexts.has(seen.text);
  try {
    process.kill(seen.owner.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else, so it is alive.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

async function releaseLock(file: string, text: string): Promise<void> {
  try {
    const seen = await readOwner(file);
    if (seen.kind === 'owner' && seen.text === text) await unlink(file).catch(() => undefined);
  } catch {
    // WHY: release runs on shutdown paths; a lock we cannot read is not ours to remove.
  } finally {
    forget(text);
  }
}

function forget(text: string): void {
  const count = (ownTexts.get(text) ?? 0) - 1;
  if (count > 0) ownTexts.set(text, count);
  else ownTexts.delete(text);
}

function once(action: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= action();
    return done;
  };
}
