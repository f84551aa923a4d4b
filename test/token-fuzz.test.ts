// Token fuzzer (DR-T1): mutates real tokens in every way an attacker might (bit flips, truncation,
// signature games, algorithm confusion, widened claims, junk) and asserts none verifies and every
// refusal is a KernelError with a TOKEN_* code. Seeded: MAOS_FUZZ_SEED=<n> replays a run.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  attenuateToken,
  generateIssuerKeyPair,
  mintToken,
  publicKeysOf,
  type TokenClaims,
  verifyToken,
} from '../src/kernel/token/index.ts';
import { isKernelError } from '../src/shared/index.ts';
import { FakeClock } from '../src/testing/fake-clock.ts';
import { SeededRandom } from '../src/testing/seeded-random.ts';

const SEED = Number(process.env.MAOS_FUZZ_SEED ?? 0x5eed);
const MUTANTS = 20_000;
/** Mutants that get past the structural checks cost a signature verification each; keep them bounded. */
const CRYPTO_SHARE = 0.3;

type Wire = { payload: string; signatures: Array<Record<string, string>> };
type Corpus = { readonly tokens: readonly string[]; readonly claims: readonly TokenClaims[] };
type Mutator = (token: string, rng: Rng, corpus: Corpus) => string;

/** mulberry32: tiny, fast and seeded. */
class Rng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    assert.ok(item !== undefined);
    return item;
  }
}

const wire = (token: string): Wire => JSON.parse(token) as Wire;
const enc = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');
const decodeJson = (b64: string) =>
  JSON.parse(Buffer.from(b64, 'base64url').toString()) as Record<string, unknown>;
const JUNK = [
  '\u200b',
  '\ufeff',
  '\u0000',
  '\u2028',
  '\ud800',
  '\udfff',
  '😀',
  'é',
  '"',
  '\\',
  '{',
  ']',
  ',',
  'x',
  '=',
];

function flipDecoded(b64: string, rng: Rng): string {
  const bytes = Buffer.from(b64, 'base64url');
  if (bytes.length === 0) return `${b64}A`;
  const at = rng.int(bytes.length);
  bytes[at] = (bytes[at] ?? 0) ^ (1 << rng.int(8));
  return enc(bytes);
}

function editHeader(token: string, index: number, edit: (h: Record<string, unknown>) => void): string {
  const w = wire(token);
  const entry = w.signatures[index];
  if (entry?.protected === undefined) return `${token}!`;
  const header = decodeJson(entry.protected);
  edit(header);
  entry.protected = enc(JSON.stringify(header));
  return JSON.stringify(w);
}

function widen(claims: TokenClaims, rng: Rng): TokenClaims {
  const choices: TokenClaims[] = [
    { ...claims, scopes: [...claims.scopes, { action: '*', resource: '**' }] },
    { ...claims, exp: claims.exp + 86_400_000 },
    { ...claims, sub: 'mallory' },
    { ...claims, ring: 1 },
    { ...claims, trust: 'internal' },
    { ...claims, epoch: claims.epoch + 1 },
  ];
  const { parent: _, ...orphan } = claims;
  choices.push(orphan);
  return rng.pick(choices);
}

/** Mutators that stop at the structural checks (cheap). */
const STRUCTURAL: Readonly<Record<string, Mutator>> = {
  rawBitFlip: (t, rng) => {
    const at = rng.int(t.length);
    return t.slice(0, at) + String.fromCharCode(t.charCodeAt(at) ^ (1 << rng.int(7))) + t.slice(at + 1);
  },
  truncate: (t, rng) => t.slice(0, rng.int(t.length)),
  dropSignature: (t, rng) => {
    const w = wire(t);
    w.signatures.splice(rng.int(2), rng.int(2) + 1);
    return JSON.stringify(w);
  },
  swapSignatures: (t) => {
    const w = wire(t);
    w.signatures.reverse();
    return JSON.stringify(w);
  },
  duplicateSignature: (t, rng) => {
    const w = wire(t);
    const entry = rng.pick(w.signatures);
    w.signatures = rng.int(2) === 0 ? [entry, entry] : [...w.signatures, entry];
    return JSON.stringify(w);
  },
  algConfusion: (t, rng) =>
    editHeader(t, rng.int(2), (h) => {
      h.alg = rng.pick([
        'none',
        'NONE',
        'nOnE',
        'HS256',
        'RS256',
        'ES256',
        'PS256',
        'Ed25519',
        'ML-DSA-44',
        '',
        1,
      ]);
    }),
  critHeader: (t, rng) =>
    editHeader(t, rng.int(2), (h) => {
      h.crit = rng.pick([['exp'], ['b64'], [], 'x']);
    }),
  keyHeader: (t, rng) =>
    editHeader(t, rng.int(2), (h) => {
      h[rng.pick(['jwk', 'jku', 'x5u', 'x5c', 'b64', 'zip', 'typ'])] = rng.pick([
        'https://evil.example',
        false,
        {},
      ]);
    }),
  kidSplit: (t, rng) =>
    editHeader(t, rng.int(2), (h) => {
      h.kid = rng.pick(['k-other', 'k-unknown', '', 7]);
    }),
  trailingData: (t, rng) => t + rng.pick(['x', '{}', t, ' 0', '\u0000', '//', ']', 'null']),
  extraMember: (t, rng) => {
    const w = wire(t) as unknown as Record<string, unknown> & Wire;
    const where = rng.int(3);
    if (where === 0) w[rng.pick(['protected', 'signature', 'header', 'x'])] = 'e30';
    else {
      const entry = rng.pick(w.signatures);
      entry[rng.pick(['header', 'x', 'kid'])] = 'e30';
    }
    return JSON.stringify(w);
  },
  duplicateKey: (t) => t.replace('{"payload":', `{"payload":"e30","payload":`),
  unicodeJunk: (t, rng) => {
    const at = rng.int(t.length + 1);
    return t.slice(0, at) + rng.pick(JUNK) + t.slice(at);
  },
  randomBytes: (_, rng) => {
    const bytes = Buffer.alloc(rng.int(200));
    for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(256);
    return rng.int(2) === 0 ? bytes.toString('latin1') : `{"payload":"${bytes.toString('utf8')}"}`;
  },
  base64Junk: (t, rng) => {
    const w = wire(t);
    const entry = rng.pick(w.signatures);
    const field = rng.pick(['protected', 'signature'] as const);
    entry[field] = `${entry[field] ?? ''}${rng.pick(['=', '==', '+', '/', '.', '%'])}`;
    return JSON.stringify(w);
  },
};

/** Mutators whose output reaches the signature check (expensive). */
const CRYPTO: Readonly<Record<string, Mutator>> = {
  payloadBitFlip: (t, rng) => {
    const w = wire(t);
    w.payload = flipDecoded(w.payload, rng);
    return JSON.stringify(w);
  },
  signatureBitFlip: (t, rng) => {
    const w = wire(t);
    const entry = rng.pick(w.signatures);
    entry.signature = flipDecoded(entry.signature ?? '', rng);
    return JSON.stringify(w);
  },
  widenedClaims: (t, rng, corpus) => {
    const index = corpus.tokens.indexOf(t);
    const claims = corpus.claims[index];
    assert.ok(claims !== undefined);
    const w = wire(t);
    w.payload = enc(JSON.stringify(widen(claims, rng)));
    return JSON.stringify(w);
  },
  mixSignatures: (t, rng, corpus) => {
    const other = wire(rng.pick(corpus.tokens.filter((x) => x !== t)));
    const w = wire(t);
    const i = rng.int(2);
    w.signatures[i] = other.signatures[i] ?? {};
    if (rng.int(3) === 0) w.payload = other.payload;
    return JSON.stringify(w);
  },
  kidSwap: (t, rng) => {
    // WHY: `k-other` is a known key, so these reach the signature check; `k-unknown` stops at lookup.
    const kid = rng.pick(['k-other', 'k-other', 'k-unknown']);
    let out = editHeader(t, 0, (h) => {
      h.kid = kid;
    });
    out = editHeader(out, 1, (h) => {
      h.kid = kid;
    });
    return out;
  },
  headerReencoded: (t, rng) =>
    editHeader(t, rng.int(2), (h) => {
      const { alg, kid, typ } = h;
      for (const k of Object.keys(h)) delete h[k];
      Object.assign(h, { typ, kid, alg });
    }),
};

async function corpus(): Promise<Corpus & { keys: ReturnType<typeof publicKeysOf> }> {
  const key = generateIssuerKeyPair('k-fuzz');
  const other = generateIssuerKeyPair('k-other');
  const keys = publicKeysOf([key, other]);
  const ctx = { clock: new FakeClock(), random: new SeededRandom(SEED), epoch: 2 };
  const tokens: string[] = [];
  const claims: TokenClaims[] = [];
  const requests = [
    { ring: 2, trust: 'internal', scopes: [{ action: 'fs.*', resource: '/workspace/**' }], maxUses: 5 },
    { ring: 3, trust: 'external', scopes: [{ action: 'email.send', resource: 'api.gmail.com' }] },
    {
      ring: 2,
      trust: 'internal',
      scopes: [{ action: 'net.get', resource: '*', constraint: ['args.n < 3'] }],
    },
  ] as const;
  for (const request of requests) {
    const minted = await mintToken({ sub: 'agent', aud: 'node', ...request }, key, ctx);
    assert.ok(minted.ok);
    tokens.push(minted.value.token);
    claims.push(minted.value.claims);
  }
  const parent = await verifyToken(tokens[0] ?? '', keys);
  assert.ok(parent.ok);
  const child = await attenuateToken(
    parent.value,
    { scopes: [{ action: 'fs.read', resource: '/workspace/*' }] },
    key,
    ctx,
  );
  assert.ok(child.ok);
  tokens.push(child.value.token);
  claims.push(child.value.claims);
  for (const token of tokens) assert.ok((await verifyToken(token, keys)).ok, 'the corpus itself verifies');
  return { tokens, claims, keys };
}

test(`DR-T1: no mutant of a real token verifies (seed ${SEED})`, async () => {
  const { tokens, claims, keys } = await corpus();
  const rng = new Rng(SEED);
  const structural = Object.entries(STRUCTURAL);
  const crypto = Object.entries(CRYPTO);
  const codes = new Map<string, number>();
  const perMutator = new Map<string, number>();
  let tried = 0;
  const batch: Array<Promise<void>> = [];
  while (tried < MUTANTS) {
    const original = rng.pick(tokens);
    const [name, mutate] = rng.next() < CRYPTO_SHARE ? rng.pick(crypto) : rng.pick(structural);
    const mutant = mutate(original, rng, { tokens, claims });
    // WHY: a mutation may be a no-op (or add only JSON whitespace); those are the token itself.
    if (mutant.trim() === original) continue;
    tried += 1;
    perMutator.set(name, (perMutator.get(name) ?? 0) + 1);
    batch.push(
      verifyToken(mutant, keys).then((result) => {
        const replay = `seed ${SEED}, mutator ${name}: ${JSON.stringify(mutant.slice(0, 160))}`;
        assert.ok(!result.ok, `mutant verified (${replay})`);
        assert.ok(isKernelError(result.error), replay);
        assert.match(result.error.code, /^TOKEN_/, replay);
        codes.set(result.error.code, (codes.get(result.error.code) ?? 0) + 1);
      }),
    );
    if (batch.length >= 64) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
  assert.equal(tried, MUTANTS);
  if (process.env.MAOS_FUZZ_VERBOSE !== undefined)
    console.log(Object.fromEntries(codes), Object.fromEntries(perMutator));
  for (const name of [...structural, ...crypto].map(([n]) => n)) {
    assert.ok((perMutator.get(name) ?? 0) >= 20, `mutator ${name} ran ${perMutator.get(name) ?? 0} times`);
  }
  // The mutants reach every layer: structure, headers, key lookup, signatures and claims.
  for (const code of [
    'TOKEN_MALFORMED',
    'TOKEN_TRAILING_DATA',
    'TOKEN_SIGNATURE_MISSING',
    'TOKEN_SIGNATURE_ORDER',
    'TOKEN_ALG_NONE',
    'TOKEN_ALG_UNSUPPORTED',
    'TOKEN_CRIT_UNKNOWN',
    'TOKEN_HEADER_INVALID',
    'TOKEN_KEY_UNKNOWN',
    'TOKEN_SIGNATURE_INVALID',
  ]) {
    assert.ok((codes.get(code) ?? 0) > 0, `no mutant was refused with ${code}`);
  }
});
