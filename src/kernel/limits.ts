// Every bound the kernel enforces lives here (TigerBeetle style): sizes, counts, depths, times.

export const LIMITS = {
  /** A serialized intent, as received at the kernel boundary. */
  intentBytesMax: 1024 * 1024,
  intentDepthMax: 32,
  /** Identifiers: agent ids, action names, session ids, idempotency keys. */
  idLengthMax: 256,
  resourceLengthMax: 2048,
  /** One string field inside intent args before the pre-filter calls it oversized (configurable lower). */
  fieldBytesMax: 64 * 1024,
  /** A serialized capability token. */
  tokenBytesMax: 512 * 1024,
  tokenScopesMax: 4096,
  tokenChainDepthMax: 3,
  patternSegmentsMax: 64,
  constraintLengthMax: 2048,
  constraintsPerScopeMax: 8,
  /** Compiled CEL constraints kept in memory, keyed by expression text. */
  constraintCacheEntriesMax: 4096,
  /** JSON nesting inside a token (envelope, protected header or claims with embedded parents). */
  tokenJsonDepthMax: 24,
  /** Free text recorded in a token, such as the reason of a TTL acknowledgment. */
  tokenTextLengthMax: 1024,
  /** Verified-token cache entries before the least recently used is evicted. */
  tokenCacheEntriesMax: 100_000,
  /** Revocation-epoch lag a node tolerates (§9.3): more than this denies. */
  epochLagMax: 1,
  /** Default token lifetimes (§9.3) and the factor above which an acknowledgment is required. */
  ttlMsRing1: 60 * 60_000,
  ttlMsRing2: 60 * 60_000,
  ttlMsRing3: 15 * 60_000,
  ttlMsExternal: 5 * 60_000,
  ttlFactorMaxUnacknowledged: 4,
} as const;
