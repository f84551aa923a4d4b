// The eleven constitutional Mandatory Rules (§10.1–§10.2) as frozen data. Rules that can be
// judged when deciding carry a `judge`; the others name the component that enforces them.

import { deepFreeze, type JsonValue } from '../shared/index.ts';
import type { CheckInput } from './decision-context.ts';

export type RuleJudgement = { readonly verdict: 'deny' | 'escalate'; readonly message: string } | undefined;

export type MandatoryRule = {
  readonly id: string;
  readonly statement: string;
  /** Where the rule is enforced when not at decision time. */
  readonly enforcedBy: 'dsc-check-5' | 'dsc-check-3' | 'commit-layer' | 'journal' | 'pods';
  readonly judge?: (input: CheckInput) => RuleJudgement;
};

/** Actions agents may never request: they are the kernel's own operations (MR-9, §8). */
const KERNEL_ACTION_PREFIXES: readonly string[] = [
  'kernel.',
  'maos.kernel.',
  'dsc.',
  'wal.',
  'keys.',
  'config.',
];
const PROMOTION_ACTIONS: ReadonlySet<string> = new Set(['ring.promote', 'agent.promote', 'trust.promote']);
const PRIVATE_KEY_MARK = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
const WALK_NODES_MAX = 10_000;

export const MANDATORY_RULES: readonly MandatoryRule[] = deepFreeze([
  {
    id: 'MR-1',
    statement: 'security-core configuration is immutable at run time',
    enforcedBy: 'dsc-check-5',
    judge: ({ ctx }) =>
      Object.isFrozen(ctx.policy) && ctx.policy.hash === ctx.bootPolicyHash
        ? undefined
        : { verdict: 'deny', message: 'the policy changed after boot' },
  },
  {
    id: 'MR-2',
    statement: 'decrypted keys never enter agent address space',
    enforcedBy: 'dsc-check-5',
    judge: ({ intent }) =>
      carriesPrivateKey(intent.args)
        ? { verdict: 'deny', message: 'arguments carry private key material' }
        : undefined,
  },
  {
    id: 'MR-3',
    statement: 'the audit log is append-only and hash-chained; a broken chain means emergency mode',
    enforcedBy: 'dsc-check-5',
    judge: ({ ctx }) =>
      ctx.mode === 'emergency'
        ? { verdict: 'deny', message: 'kernel is in emergency mode: nothing commits' }
        : undefined,
  },
  {
    id: 'MR-4',
    statement: 'no ring escalation without full re-onboarding',
    enforcedBy: 'dsc-check-5',
    judge: ({ intent, token, agentRing }) => {
      if (PROMOTION_ACTIONS.has(intent.action))
        return { verdict: 'deny', message: 'promotion is never a run-time action' };
      if (token !== undefined && agentRing !== undefined && token.claims.ring < agentRing) {
        return {
          verdict: 'deny',
          message: `token for ring ${token.claims.ring} used by an agent now in ring ${agentRing}`,
        };
      }
      return undefined;
    },
  },
  {
    id: 'MR-5',
    statement: 'a rollback-zone snapshot precedes every destructive action',
    enforcedBy: 'dsc-check-5',
    judge: ({ sideEffect, action }) => {
      if (sideEffect === 'destructive' && !action.snapshot) {
        return { verdict: 'deny', message: `\`${action.name}\` is destructive and cannot be snapshotted` };
      }
      // WHY: an irreversible effect has no snapshot to roll back to; a human must take the decision.
      if (sideEffect === 'irreversible')
        return { verdict: 'escalate', message: 'irreversible effects need human approval' };
      return undefined;
    },
  },
  { id: 'MR-6', statement: 'no commit without dsc clearance', enforcedBy: 'commit-layer' },
  { id: 'MR-7', statement: 'budget hard limits are absolute', enforcedBy: 'dsc-check-3' },
  {
    id: 'MR-8',
    statement: 'the write-ahead log is written before execution',
    enforcedBy: 'dsc-check-5',
    judge: ({ ctx, sideEffect }) => {
      if (sideEffect === 'read') return undefined;
      if (ctx.mode === 'commit-freeze')
        return { verdict: 'deny', message: 'commit freeze: the write-ahead log cannot accept writes' };
      // WHY: until recovery has settled every journaled intent, a new effect could race a replay.
      if (ctx.mode === 'recovery-hold')
        return { verdict: 'deny', message: 'recovery in progress: nothing new commits until it ends' };
      return undefined;
    },
  },
  {
    id: 'MR-9',
    statement: 'the system call gateway cannot be bypassed',
    enforcedBy: 'dsc-check-5',
    judge: ({ intent }) =>
      KERNEL_ACTION_PREFIXES.some((prefix) => intent.action.startsWith(prefix))
        ? { verdict: 'deny', message: `\`${intent.action}\` is a kernel operation agents cannot call` }
        : undefined,
  },
  {
    id: 'MR-10',
    statement: 'heartbeat failure triggers fail-safe: think but not commit',
    enforcedBy: 'dsc-check-5',
    judge: ({ ctx, sideEffect }) =>
      !ctx.heartbeatOk && sideEffect !== 'read'
        ? { verdict: 'deny', message: 'a kernel heartbeat was missed: nothing commits' }
        : undefined,
  },
  {
    id: 'MR-11',
    statement: 'no agent runs without a supervising maos instance',
    enforcedBy: 'dsc-check-5',
    judge: ({ agent, intent }) =>
      agent === undefined
        ? { verdict: 'deny', message: `agent \`${intent.agent}\` is not supervised here` }
        : undefined,
  },
]);

function carriesPrivateKey(args: JsonValue): boolean {
  const stack: JsonValue[] = [args];
  for (let seen = 0; stack.length > 0 && seen < WALK_NODES_MAX; seen++) {
    const node = stack.pop();
    if (typeof node === 'string') {
      if (node.includes('PRIVATE KEY-----') && PRIVATE_KEY_MARK.test(node)) return true;
    } else if (Array.isArray(node)) {
      for (const child of node) stack.push(child);
    } else if (node !== null && typeof node === 'object') {
      // A JSON Web Key with a private part (`d`) is key material too.
      if (typeof node.kty === 'string' && typeof node.d === 'string') return true;
      for (const key in node) stack.push(node[key] as JsonValue);
    }
  }
  // WHY: args too large to walk fully are treated as carrying keys (fail closed).
  return stack.length > 0;
}
