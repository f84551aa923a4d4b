// Vouching rules over one session's bonds (a pure document the ledger persists under
// `session/<id>`): the 20 % bond, the 80 % per-session cap, no self-vouch, no cycle, a minimum
// score, and the effective score min(1, own + ω·Σ bonds) with ω by reversibility.

import type { SideEffectClass } from '../kernel/index.ts';
import { ERROR_CODES, fail, ok, parseJsonStrict, type Result } from '../shared/index.ts';
import { clampUnit, isTrustId, isUnit } from './input.ts';
import {
  BOND_FRACTION,
  BONDS_PER_SESSION_MAX,
  OMEGA,
  SESSION_BOND_FRACTION_MAX,
  STORED_JSON_LIMITS,
  VOUCH_SCORE_MIN,
} from './params.ts';
import type { VouchInput } from './requests.ts';

/** A voucher's stake behind one vouchee's message or task, in score units. */
export type Bond = {
  readonly id: string;
  readonly voucher: string;
  readonly vouchee: string;
  readonly subject: string;
  readonly amount: number;
  readonly atMs: number;
  readonly expiresAtMs: number;
};

/** One session's bonds, the causes already slashed (for idempotence), and the next bond number. */
export type SessionBonds = {
  readonly v: 1;
  readonly session: string;
  readonly next: number;
  readonly bonds: readonly Bond[];
  readonly causes: readonly string[];
};

/** Stable reasons a vouch is refused (a refusal is data, not an error). */
export const VOUCH_REFUSALS = {
  SELF: 'vouch-self',
  CYCLE: 'vouch-cycle',
  BELOW_MINIMUM: 'vouch-below-minimum',
  SESSION_CAP: 'vouch-session-cap',
  DUPLICATE: 'vouch-duplicate',
  SESSION_FULL: 'vouch-session-full',
} as const;
export type VouchRefusal = (typeof VOUCH_REFUSALS)[keyof typeof VOUCH_REFUSALS];

export type VouchPlan =
  | { readonly granted: true; readonly bond: Bond; readonly doc: SessionBonds }
  | { readonly granted: false; readonly reason: VouchRefusal; readonly message: string };

/** A checked vouch request; the bond lapses at its `expiresAtMs` (the session is the document's). */
export type VouchRequest = Omit<VouchInput, 'session'>;

function emptySession(session: string): SessionBonds {
  return { v: 1, session, next: 1, bonds: [], causes: [] };
}

/** Bonds still in force at `nowMs`. */
export function activeBonds(doc: SessionBonds, nowMs: number): Bond[] {
  return doc.bonds.filter((bond) => bond.expiresAtMs > nowMs);
}

/** The vouchee's effective score for an action: min(1, own + ω(reversibility) · Σ bonds). */
export function effectiveScoreOf(own: number, bondsTotal: number, reversibility: SideEffectClass): number {
  const omega = OMEGA[reversibility] ?? 0;
  // INVARIANT: ω = 0 for irreversible actions, so vouching never lifts an actor above its own score there.
  return clampUnit(Math.min(1, clampUnit(own) + omega * Math.max(0, bondsTotal)));
}

/** Σ of the active bonds that stand behind `vouchee` for `subject`. */
export function bondsFor(doc: SessionBonds, vouchee: string, subject: string, nowMs: number): number {
  let total = 0;
  for (const bond of activeBonds(doc, nowMs)) {
    if (bond.vouchee === vouchee && bond.subject === subject) total += bond.amount;
  }
  return total;
}

/**
 * Decides a vouch against the session's bonds given the voucher's current score, and returns the
 * document with the new bond. Expired bonds are pruned on the way, so the document stays bounded.
 */
export function planVouch(
  doc: SessionBonds,
  request: VouchRequest,
  voucherScore: number,
  nowMs: number,
): VouchPlan {
  const { voucher, vouchee, subject } = request;
  if (voucher === vouchee) return refuse(VOUCH_REFUSALS.SELF, `\`${voucher}\` may not vouch for itself`);
  if (!(voucherScore >= VOUCH_SCORE_MIN))
    return refuse(
      VOUCH_REFUSALS.BELOW_MINIMUM,
      `\`${voucher}\` has a score below ${VOUCH_SCORE_MIN} and may not vouch`,
    );
  const active = activeBonds(doc, nowMs);
  if (active.some((b) => b.voucher === voucher && b.vouchee === vouchee && b.subject === subject))
    return refuse(
      VOUCH_REFUSALS.DUPLICATE,
      `\`${voucher}\` already vouches for \`${vouchee}\` on \`${subject}\``,
    );
  if (reaches(active, vouchee, voucher))
    return refuse(
      VOUCH_REFUSALS.CYCLE,
      `\`${vouchee}\` already vouches, directly or not, for \`${voucher}\` in this session`,
    );
  const amount = BOND_FRACTION * voucherScore;
  const bonded = active.filter((b) => b.voucher === voucher).reduce((sum, b) => sum + b.amount, 0);
  // WHY: a tiny epsilon so that exactly four 20 % bonds fit under 80 % despite float rounding.
  if (bonded + amount > SESSION_BOND_FRACTION_MAX * voucherScore + 1e-12)
    return refuse(
      VOUCH_REFUSALS.SESSION_CAP,
      `\`${voucher}\` has bonded ${SESSION_BOND_FRACTION_MAX * 100} % of its score in this session`,
    );
  if (active.length >= BONDS_PER_SESSION_MAX)
    return refuse(VOUCH_REFUSALS.SESSION_FULL, `the session holds ${BONDS_PER_SESSION_MAX} bonds already`);
  const bond: Bond = {
    id: `bond-${doc.next}`,
    voucher,
    vouchee,
    subject,
    amount,
    atMs: nowMs,
    expiresAtMs: request.expiresAtMs,
  };
  return { granted: true, bond, doc: { ...doc, next: doc.next + 1, bonds: [...active, bond] } };
}

function refuse(reason: VouchRefusal, message: string): VouchPlan {
  return { granted: false, reason, message };
}

/** Whether `to` is reachable from `from` along voucher → vouchee edges (bounded by the bond count). */
function reaches(bonds: readonly Bond[], from: string, to: string): boolean {
  const seen = new Set<string>([from]);
  const queue = [from];
  while (queue.length > 0) {
    const at = queue.shift() as string;
    if (at === to) return true;
    for (const bond of bonds) {
      if (bond.voucher === at && !seen.has(bond.vouchee)) {
        seen.add(bond.vouchee);
        queue.push(bond.vouchee);
      }
    }
  }
  return false;
}

/** The document without the bonds for `subject` (a clean outcome releases them). */
export function releaseSubject(
  doc: SessionBonds,
  subject: string,
  nowMs: number,
): { doc: SessionBonds; released: number } {
  const active = activeBonds(doc, nowMs);
  const kept = active.filter((bond) => bond.subject !== subject);
  return { doc: { ...doc, bonds: kept }, released: active.length - kept.length };
}

/** Reads a stored session document (empty when none is stored); anything malformed is STORAGE. */
export function parseSession(session: string, text: string | undefined): Result<SessionBonds> {
  if (text === undefined) return ok(emptySession(session));
  const corrupt = () => fail(ERROR_CODES.STORAGE, `trust bonds of session \`${session}\` are corrupt`);
  const parsed = parseJsonStrict(text, STORED_JSON_LIMITS);
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null) return corrupt();
  const doc = parsed.value as Record<string, unknown>;
  if (doc.v !== 1 || doc.session !== session || !Number.isSafeInteger(doc.next)) return corrupt();
  if (!Array.isArray(doc.bonds) || !Array.isArray(doc.causes)) return corrupt();
  if (!doc.causes.every(isTrustId) || !doc.bonds.every(isBond)) return corrupt();
  return ok(doc as unknown as SessionBonds);
}

function isBond(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const b = value as Record<string, unknown>;
  return (
    isTrustId(b.id) &&
    isTrustId(b.voucher) &&
    isTrustId(b.vouchee) &&
    isTrustId(b.subject) &&
    isUnit(b.amount) &&
    Number.isFinite(b.atMs) &&
    Number.isFinite(b.expiresAtMs)
  );
}
