// Optimistic read-modify-write over the Storage port: read a key with its version, compute the next
// value, write it only if the version is unchanged, retry on STORAGE_CONFLICT. Two ledgers on one
// storage therefore never lose each other's updates.

import { ERROR_CODES, fail, isKernelError, ok, type Result } from '../shared/index.ts';
import type { Storage, Versioned } from '../storage/port.ts';
import { TRUST_NAMESPACE, UPDATE_ATTEMPTS_MAX } from './params.ts';

/** What a change wants: `text` to write (undefined writes nothing) and `out` to hand back. */
export type Change<R> = { readonly text: string | undefined; readonly out: R };

/**
 * Applies `change` to the current value of `key` in the trust namespace. `change` may run several
 * times (once per attempt) and must be pure. An error from `change` ends the update unchanged; a
 * storage failure other than a conflict is returned as is.
 */
export async function casUpdate<R>(
  storage: Storage,
  key: string,
  change: (current: Versioned | undefined) => Result<Change<R>>,
): Promise<Result<R>> {
  for (let attempt = 0; attempt < UPDATE_ATTEMPTS_MAX; attempt++) {
    const current = await guarded(() => storage.get(TRUST_NAMESPACE, key));
    if (!current.ok) return current;
    const next = change(current.value);
    if (!next.ok) return next;
    if (next.value.text === undefined) return ok(next.value.out);
    const text = next.value.text;
    const expected = current.value?.version ?? 0;
    const written = await guarded(() => storage.put(TRUST_NAMESPACE, key, text, expected));
    if (written.ok) return ok(next.value.out);
    if (written.error.code !== ERROR_CODES.STORAGE_CONFLICT) return written;
  }
  return fail(
    ERROR_CODES.STORAGE_CONFLICT,
    `trust update of \`${key}\` lost ${UPDATE_ATTEMPTS_MAX} races in a row`,
  );
}

/** Reads `key` in the trust namespace, with storage failures as a result. */
export function readKey(storage: Storage, key: string): Promise<Result<Versioned | undefined>> {
  return guarded(() => storage.get(TRUST_NAMESPACE, key));
}

/** Storage rejects with KernelError; anything else is a programmer error and keeps propagating. */
async function guarded<T>(run: () => Promise<T>): Promise<Result<T>> {
  try {
    return ok(await run());
  } catch (error) {
    if (isKernelError(error)) return { ok: false, error };
    throw error;
  }
}

/** Deletes `key` in the trust namespace whatever its version; resolves to whether it was there. */
export function deleteKey(storage: Storage, key: string): Promise<Result<boolean>> {
  return guarded(() => storage.delete(TRUST_NAMESPACE, key));
}
