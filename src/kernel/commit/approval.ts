// A human approval of one held intent (§43, first slice): bound to the intent's digest, the policy
// it was decided under and an expiry. The commit layer checks the binding before it commits.

import { canonicalJson, hashHex } from '../../shared/index.ts';
import type { Intent } from '../intent.ts';

export type Approval = {
  readonly intentId: string;
  /** `intentDigest` of the intent the human saw. */
  readonly digest: string;
  readonly policyHash: string;
  readonly expiresAtMs: number;
  readonly by: string;
  /** Journal sequence number of the `intent.approved` record. */
  readonly seq: number;
};

/**
 * SHA-256 of the intent's canonical JSON without its token: what a human approves. Any change to
 * the agent, action, resource, arguments or idempotency key gives a different digest.
 */
export function intentDigest(intent: Intent): string {
  const { token: _token, ...bound } = intent;
  return hashHex(canonicalJson(bound));
}

/** Why `approval` does not authorize `intent` now, or undefined when it does. */
export function approvalProblem(
  approval: Approval,
  intent: Intent,
  policyHash: string,
  nowMs: number,
): string | undefined {
  if (approval.intentId !== intent.id) return 'the approval was given for another intent';
  if (approval.digest !== intentDigest(intent)) return 'the intent changed after it was approved';
  if (approval.policyHash !== policyHash) return 'the policy changed after the approval';
  if (nowMs > approval.expiresAtMs) return 'the approval has expired';
  return undefined;
}
