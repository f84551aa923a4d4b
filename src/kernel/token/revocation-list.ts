// Revocation list and epoch (§9.3, DR-T6): each new revocation bumps the epoch by exactly one.
// The DSC checks every id of a token's chain, so revoking a parent revokes its descendants.

import { z } from 'zod';
import { assert, ERROR_CODES, KernelError } from '../../shared/index.ts';
import { LIMITS } from '../limits.ts';
import type { RevocationView } from './verified-token.ts';

export type RevocationListJson = {
  readonly epoch: number;
  readonly revoked: readonly { readonly jti: string; readonly reason?: string }[];
};

const RevocationListSchema = z
  .strictObject({
    epoch: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
    revoked: z.array(
      z.strictObject({
        jti: z.string().min(1).max(LIMITS.idLengthMax),
        reason: z.string().max(LIMITS.tokenTextLengthMax).optional(),
      }),
    ),
  })
  .superRefine((value, ctx) => {
    if (new Set(value.revoked.map((entry) => entry.jti)).size !== value.revoked.length) {
      ctx.addIssue({ code: 'custom', message: 'lists a token id twice' });
    }
    if (value.epoch < value.revoked.length) {
      ctx.addIssue({ code: 'custom', message: 'has an epoch below its number of revocations' });
    }
  });

export class RevocationList implements RevocationView {
  #epoch = 0;
  readonly #revoked = new Map<string, string | undefined>();

  get epoch(): number {
    return this.#epoch;
  }

  get size(): number {
    return this.#revoked.size;
  }

  /** Revokes `jti` and returns the epoch; revoking an already revoked id leaves the epoch alone. */
  revoke(jti: string, reason?: string): number {
    assert(jti.length > 0 && jti.length <= LIMITS.idLengthMax, 'token id must be 1..256 characters');
    if (this.#revoked.has(jti)) return this.#epoch;
    this.#revoked.set(jti, reason);
    this.#epoch += 1;
    return this.#epoch;
  }

  isRevoked(jti: string): boolean {
    return this.#revoked.has(jti);
  }

  /** The reason given at revocation, if any. */
  reasonFor(jti: string): string | undefined {
    return this.#revoked.get(jti);
  }

  toJSON(): RevocationListJson {
    return {
      epoch: this.#epoch,
      revoked: [...this.#revoked].map(([jti, reason]) => (reason === undefined ? { jti } : { jti, reason })),
    };
  }

  /** Restores a list saved by `toJSON`; malformed input throws a KernelError (INVALID_INPUT). */
  static fromJSON(value: unknown): RevocationList {
    const parsed = RevocationListSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue === undefined || issue.path.length === 0 ? '' : ` at \`${issue.path.join('.')}\``;
      const message = (issue?.message ?? 'is invalid').toLowerCase();
      throw new KernelError(ERROR_CODES.INVALID_INPUT, `revocation list is invalid${where}: ${message}`);
    }
    const list = new RevocationList();
    for (const entry of parsed.data.revoked) list.#revoked.set(entry.jti, entry.reason);
    list.#epoch = parsed.data.epoch;
    return list;
  }
}
