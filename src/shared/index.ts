// Public face of src/shared.

export { AssertionError, assert, unreachable } from './assert.ts';
export { canonicalJson } from './canonical-json.ts';
export { type Clock, systemClock } from './clock.ts';
export { ERROR_CODES, type ErrorCode, isKernelError, KernelError } from './errors.ts';
export { deepFreeze, FrozenMap } from './frozen.ts';
export { HASH_ALGORITHMS, type HashAlgorithm, hashBase64url, hashCanonical, hashHex } from './hash.ts';
export { readBodyBounded } from './http-body.ts';
export {
  AGENT_ID_PATTERN,
  isAgentId,
  isMessageName,
  isUuidv7,
  MESSAGE_NAME_PATTERN,
  uuidv7,
  uuidv7Ms,
} from './ids.ts';
export { makeRoom, pushBounded, touch, touchBounded } from './lru.ts';
export { type Random, systemRandom } from './random.ts';
export { type Err, err, fail, type Ok, ok, type Result, unwrap } from './result.ts';
export {
  checkJsonValue,
  decodeUtf8,
  FORBIDDEN_KEYS,
  type JsonValue,
  parseJsonStrict,
  type SafeJsonLimits,
} from './safe-json.ts';
