// Public face of the capability-token subsystem: mint, attenuate, verify, cache, revoke (§9, §14a.3).
// Everything outside src/kernel/token imports from here.

export {
  type AttenuationContext,
  type AttenuationRequest,
  attenuateToken,
  attenuationViolation,
} from './attenuate.ts';
export type { RateClaim, Scope, TokenClaims, TrustClass, TtlAcknowledgment } from './claims.ts';
export { parseClaims } from './claims-schema.ts';
export { type CompiledConstraint, type ConstraintOutcome, compileConstraint } from './constraint.ts';
export type {
  IssuerKeyPair,
  IssuerKeys,
  IssuerPublicKeys,
  KeyPairObjects,
  VerificationKeys,
} from './issuer-keys.ts';
export { generateIssuerKeyPair, publicKeysOf, verificationKeys } from './key-material.ts';
export {
  actionContains,
  actionMatches,
  actionPatternProblem,
  resourceContains,
  resourceMatches,
  resourcePatternProblem,
} from './pattern.ts';
export { RevocationList, type RevocationListJson } from './revocation-list.ts';
export { scopeWithin } from './scope-containment.ts';
export { buildScopeIndex, type ScopeIndex } from './scope-index.ts';
export { type TokenDefect, tokenDefect } from './standing.ts';
export { TokenCache } from './token-cache.ts';
export {
  type ProtectedHeader,
  parseEnvelope,
  TOKEN_ALGS,
  TOKEN_TYP,
  type TokenAlg,
} from './token-envelope.ts';
export {
  DEFAULT_ISSUER,
  type MintContext,
  type MintedToken,
  type MintRequest,
  mintToken,
} from './token-mint.ts';
export { type InspectedToken, inspectToken, tokenDigest, verifyToken } from './token-verify.ts';
export { checkTtl, defaultTtlMs, type TtlAcknowledgmentRequest, ttlMsMaxUnacknowledged } from './ttl.ts';
export {
  type ConstraintVars,
  type RevocationView,
  type ScopeMatch,
  TOKEN_REF_PREFIX,
  type TokenCacheView,
  type VerifiedToken,
} from './verified-token.ts';
