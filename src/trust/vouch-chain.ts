// Verification of a message's vouch chain: every link a kernel-signed `vouch` attestation, all in
// one session, forming a tree rooted at the sender (direct vouchers for the subject, their vouchers
// at depth 2), with no self-vouch, no cycle and no duplicate bond.

import { ERROR_CODES, type ErrorCode, fail, ok, type Result } from '../shared/index.ts';
import {
  type Attestation,
  type AttestationKeys,
  type VouchStatement,
  verifyAttestation,
} from './attestation.ts';
import { SLASH_DEPTH_MAX, VOUCH_CHAIN_LINKS_MAX } from './params.ts';

export type VouchChainSummary = {
  /** The vouchee at the root (the message's sender), or undefined for an empty chain. */
  readonly agent: string | undefined;
  readonly session: string | undefined;
  readonly subject: string | undefined;
  /** Σ of the depth-1 bonds: what `effectiveScoreOf` adds (times ω). */
  readonly bondsTotal: number;
  readonly links: readonly Attestation<VouchStatement>[];
};

/** What the chain must be about, when the caller knows (the envelope's sender, session and id). */
export type VouchChainExpectation = {
  readonly agent?: string;
  readonly session?: string;
  readonly subject?: string;
};

/**
 * Verifies every link (signature, expiry, kind) and the chain's structure at wall time `nowMs`.
 * Failures carry `details.reason` (`link-invalid` with the link's index, `kind-unexpected`,
 * `chain-mismatch`, `chain-broken`, `chain-cycle`, `chain-too-deep`, `duplicate`, `vouch-self`).
 */
export function verifyVouchChain(
  chain: unknown,
  keys: AttestationKeys,
  nowMs: number,
  expect: VouchChainExpectation = {},
): Result<VouchChainSummary> {
  if (!Array.isArray(chain) || chain.length > VOUCH_CHAIN_LINKS_MAX)
    return broken(
      ERROR_CODES.TOKEN_MALFORMED,
      'malformed',
      `a vouch chain is an array of at most ${VOUCH_CHAIN_LINKS_MAX} links`,
    );
  const links: Attestation<VouchStatement>[] = [];
  for (let index = 0; index < chain.length; index++) {
    const verified = verifyAttestation(chain[index], keys, nowMs);
    if (!verified.ok)
      return fail(verified.error.code, `vouch chain link ${index}: ${verified.error.message}`, {
        reason: 'link-invalid',
        index,
        linkReason: verified.error.details?.reason,
      });
    const statement = verified.value.statement;
    if (statement.kind !== 'vouch')
      return linkBroken(index, 'kind-unexpected', `is a \`${statement.kind}\` attestation`);
    links.push({ statement, signature: verified.value.signature });
  }
  const first = links[0]?.statement;
  if (first === undefined) {
    return ok({
      agent: expect.agent,
      session: expect.session,
      subject: expect.subject,
      bondsTotal: 0,
      links,
    });
  }
  const root = first.agent;
  if (
    (expect.agent !== undefined && expect.agent !== root) ||
    (expect.session !== undefined && expect.session !== first.session) ||
    (expect.subject !== undefined && expect.subject !== first.subject)
  )
    return broken(
      ERROR_CODES.TOKEN_CLAIMS_INVALID,
      'chain-mismatch',
      'vouch chain is about another agent, session or subject',
    );
  return checkTree(links, root, first.session, first.subject);
}

function checkTree(
  links: readonly Attestation<VouchStatement>[],
  root: string,
  session: string,
  subject: string,
): Result<VouchChainSummary> {
  const depthOf = new Map<string, number>([[root, 0]]);
  const bondIds = new Set<string>();
  const edgeKeys = new Set<string>();
  let bondsTotal = 0;
  for (const [index, { statement }] of links.entries()) {
    const { agent, voucher } = statement;
    if (statement.session !== session) return linkBroken(index, 'chain-mismatch', 'is from another session');
    if (voucher === agent) return linkBroken(index, 'vouch-self', 'is a self-vouch');
    if (bondIds.has(statement.bondId)) return linkBroken(index, 'duplicate', 'repeats a bond');
    bondIds.add(statement.bondId);
    // WHY: one voucher, one edge: a second signed bond between the same pair (an old one released
    // and re-made) must not count twice.
    const edge = `${voucher}\u0000${agent}`;
    if (edgeKeys.has(edge)) return linkBroken(index, 'duplicate', 'repeats a voucher');
    edgeKeys.add(edge);
    const parentDepth = depthOf.get(agent);
    if (voucher === root) return linkBroken(index, 'chain-cycle', 'has the sender vouching');
    if (parentDepth === undefined)
      return linkBroken(index, 'chain-broken', 'vouches for an agent outside the chain');
    if (parentDepth === 0 && statement.subject !== subject)
      return linkBroken(index, 'chain-mismatch', 'is for another subject');
    if (parentDepth + 1 > SLASH_DEPTH_MAX)
      return linkBroken(index, 'chain-too-deep', `is deeper than ${SLASH_DEPTH_MAX}`);
    depthOf.set(voucher, Math.min(depthOf.get(voucher) ?? parentDepth + 1, parentDepth + 1));
    if (parentDepth === 0) bondsTotal += statement.bond;
  }
  // WHY: a diamond (A vouches for the sender and for B, B for the sender) is legitimate; a loop
  // (someone vouching, directly or not, for itself) is not, and the ledger refuses it too.
  if (hasCycle(links))
    return broken(ERROR_CODES.TOKEN_CLAIMS_INVALID, 'chain-cycle', 'vouch chain contains a cycle');
  return ok({ agent: root, session, subject, bondsTotal, links });
}

/** Whether the voucher → vouchee edges of the chain (at most VOUCH_CHAIN_LINKS_MAX) loop. */
function hasCycle(links: readonly Attestation<VouchStatement>[]): boolean {
  const edges = new Map<string, string[]>();
  for (const { statement } of links) {
    edges.set(statement.voucher, [...(edges.get(statement.voucher) ?? []), statement.agent]);
  }
  const state = new Map<string, 'open' | 'done'>();
  const visit = (node: string): boolean => {
    if (state.get(node) === 'open') return true;
    if (state.get(node) === 'done') return false;
    state.set(node, 'open');
    for (const next of edges.get(node) ?? []) if (visit(next)) return true;
    state.set(node, 'done');
    return false;
  };
  return [...edges.keys()].some(visit);
}

/** Why a chain failed (beyond a link's own `link-invalid`), as a stable string in `error.details.reason`. */
type ChainFailure =
  | 'malformed'
  | 'kind-unexpected'
  | 'chain-mismatch'
  | 'chain-broken'
  | 'chain-cycle'
  | 'chain-too-deep'
  | 'duplicate'
  | 'vouch-self';

function broken(code: ErrorCode, reason: ChainFailure, message: string): Result<never> {
  return fail(code, message, { reason });
}

/** Link `index` does not belong in the chain: TOKEN_CLAIMS_INVALID, with a message naming the link. */
function linkBroken(index: number, reason: ChainFailure, what: string): Result<never> {
  return broken(ERROR_CODES.TOKEN_CLAIMS_INVALID, reason, `vouch chain link ${index} ${what}`);
}
