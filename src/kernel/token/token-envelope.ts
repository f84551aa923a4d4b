// The token's wire form: JWS General JSON Serialization with exactly two signatures, Ed25519 then
// ML-DSA-65 (§14a.3). Parsed strictly, with a distinct code per defect, before any crypto runs.

import { ERROR_CODES, type ErrorCode, fail, type KernelError, ok, type Result } from '../../shared/index.ts';
import { LIMITS } from '../limits.ts';
import { parseStrictJson } from './strict-json.ts';

export const TOKEN_TYP = 'maos-cap+jws';
/** Signature algorithms in their required order. */
export const TOKEN_ALGS = ['EdDSA', 'ML-DSA-65'] as const;
export type TokenAlg = (typeof TOKEN_ALGS)[number];
/** Exact signature sizes in bytes: Ed25519 (RFC 8032) and ML-DSA-65 (FIPS 204). */
const SIGNATURE_BYTES: Readonly<Record<TokenAlg, number>> = { EdDSA: 64, 'ML-DSA-65': 3309 };

export type ProtectedHeader = {
  readonly alg: TokenAlg;
  readonly kid: string;
  readonly typ: typeof TOKEN_TYP;
};

export type EnvelopeSignature = {
  /** The protected header exactly as transmitted (base64url): the signing input uses these bytes. */
  readonly protected: string;
  readonly signature: string;
  readonly header: ProtectedHeader;
};

export type TokenEnvelope = {
  readonly payload: string;
  readonly signatures: readonly [EnvelopeSignature, EnvelopeSignature];
  readonly kid: string;
};

const B64URL = /^[A-Za-z0-9_-]*$/;
const KEY_HEADERS: ReadonlySet<string> = new Set(['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256']);
const HEADER_KEYS: ReadonlySet<string> = new Set(['alg', 'kid', 'typ']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

type Raw = { readonly [key: string]: unknown };

/** Checks size and structure of a serialized token; no signature is verified here. */
export function parseEnvelope(serialized: string): Result<TokenEnvelope, KernelError> {
  // WHY: callers in plain JavaScript (or a bad cast) must still get a code, not a TypeError.
  if (typeof serialized !== 'string') return bad(ERROR_CODES.TOKEN_MALFORMED, 'token is not a string');
  if (serialized.length > LIMITS.tokenBytesMax || Buffer.byteLength(serialized) > LIMITS.tokenBytesMax) {
    return bad(ERROR_CODES.TOKEN_MALFORMED, `token exceeds ${LIMITS.tokenBytesMax} bytes`);
  }
  const parsed = parseStrictJson(serialized, LIMITS.tokenJsonDepthMax);
  if (!parsed.ok) {
    if (parsed.problem === 'trailing')
      return bad(ERROR_CODES.TOKEN_TRAILING_DATA, 'token has data after its end');
    if (parsed.problem === 'duplicate-key' || parsed.problem === 'forbidden-key') {
      return bad(ERROR_CODES.TOKEN_HEADER_INVALID, `token envelope is invalid: ${parsed.message}`);
    }
    return bad(ERROR_CODES.TOKEN_MALFORMED, `token is not valid json: ${parsed.message}`);
  }
  const root = parsed.value;
  if (!isRecord(root)) return bad(ERROR_CODES.TOKEN_MALFORMED, 'token is not a json object');
  const extra = Object.keys(root).find((key) => key !== 'payload' && key !== 'signatures');
  if (extra !== undefined)
    return bad(ERROR_CODES.TOKEN_MALFORMED, `token has unexpected member \`${extra}\``);
  const { payload, signatures } = root;
  if (typeof payload !== 'string') return bad(ERROR_CODES.TOKEN_MALFORMED, 'token payload is not a string');
  if (!isBase64url(payload)) return bad(ERROR_CODES.TOKEN_MALFORMED, 'token payload is not base64url');
  if (signatures === undefined) return bad(ERROR_CODES.TOKEN_SIGNATURE_MISSING, 'token has no signatures');
  if (!Array.isArray(signatures)) return bad(ERROR_CODES.TOKEN_MALFORMED, 'token signatures are not a list');
  if (signatures.length < 2) {
    return bad(ERROR_CODES.TOKEN_SIGNATURE_MISSING, `token has ${signatures.length} of 2 signatures`);
  }
  if (signatures.length > 2)
    return bad(ERROR_CODES.TOKEN_MALFORMED, `token has ${signatures.length} signatures`);
  const first = readEntry(signatures[0]);
  if (!first.ok) return first;
  const second = readEntry(signatures[1]);
  if (!second.ok) return second;
  const headers = checkHeaders(first.value.header, second.value.header);
  if (!headers.ok) return headers;
  const [h0, h1] = headers.value;
  const s0 = { protected: first.value.protected, signature: first.value.signature, header: h0 };
  const s1 = { protected: second.value.protected, signature: second.value.signature, header: h1 };
  for (const entry of [s0, s1]) {
    const expected = SIGNATURE_BYTES[entry.header.alg];
    if (Buffer.byteLength(entry.signature, 'base64url') !== expected) {
      return bad(
        ERROR_CODES.TOKEN_SIGNATURE_INVALID,
        `${entry.header.alg} signature is not ${expected} bytes`,
      );
    }
  }
  return ok({ payload, signatures: [s0, s1], kid: h0.kid });
}

/** Serializes a payload and its two signatures in the one accepted layout. */
export function formatEnvelope(
  payload: string,
  signatures: readonly [{ protected: string; signature: string }, { protected: string; signature: string }],
): string {
  return JSON.stringify({
    payload,
    signatures: signatures.map((entry) => ({ protected: entry.protected, signature: entry.signature })),
  });
}

/** Decodes the payload into JSON (claims are validated by the schema afterwards). */
export function decodePayload(payload: string): Result<unknown, KernelError> {
  const text = decodeText(payload);
  if (text === undefined) return bad(ERROR_CODES.TOKEN_CLAIMS_INVALID, 'token payload is not utf-8');
  const parsed = parseStrictJson(text, LIMITS.tokenJsonDepthMax);
  if (!parsed.ok)
    return bad(ERROR_CODES.TOKEN_CLAIMS_INVALID, `token claims are not valid json: ${parsed.message}`);
  if (!isRecord(parsed.value))
    return bad(ERROR_CODES.TOKEN_CLAIMS_INVALID, 'token claims are not a json object');
  return ok(parsed.value);
}

type Entry = { readonly protected: string; readonly signature: string; readonly header: Raw };

function readEntry(value: unknown): Result<Entry, KernelError> {
  if (!isRecord(value)) return bad(ERROR_CODES.TOKEN_MALFORMED, 'token signature entry is not an object');
  if ('header' in value) return bad(ERROR_CODES.TOKEN_HEADER_INVALID, 'unprotected headers are not accepted');
  const extra = Object.keys(value).find((key) => key !== 'protected' && key !== 'signature');
  if (extra !== undefined) {
    return bad(ERROR_CODES.TOKEN_MALFORMED, `token signature has unexpected member \`${extra}\``);
  }
  const encoded = value.protected;
  const signature = value.signature;
  if (typeof encoded !== 'string') return bad(ERROR_CODES.TOKEN_MALFORMED, 'protected header is missing');
  if (typeof signature !== 'string') return bad(ERROR_CODES.TOKEN_MALFORMED, 'signature is missing');
  if (!isBase64url(encoded))
    return bad(ERROR_CODES.TOKEN_HEADER_INVALID, 'protected header is not base64url');
  if (!isBase64url(signature)) return bad(ERROR_CODES.TOKEN_HEADER_INVALID, 'signature is not base64url');
  const text = decodeText(encoded);
  if (text === undefined) return bad(ERROR_CODES.TOKEN_HEADER_INVALID, 'protected header is not utf-8');
  const parsed = parseStrictJson(text, 2);
  if (!parsed.ok)
    return bad(ERROR_CODES.TOKEN_HEADER_INVALID, `protected header is invalid: ${parsed.message}`);
  if (!isRecord(parsed.value))
    return bad(ERROR_CODES.TOKEN_HEADER_INVALID, 'protected header is not an object');
  return ok({ protected: encoded, signature, header: parsed.value });
}

/** Algorithm, order, `crit`, key-carrying parameters, `typ` and `kid`, in that order of precedence. */
function checkHeaders(h0: Raw, h1: Raw): Result<readonly [ProtectedHeader, ProtectedHeader], KernelError> {
  const pair = [h0, h1] as const;
  for (const header of pair) {
    if (typeof header.alg !== 'string')
      return bad(ERROR_CODES.TOKEN_HEADER_INVALID, 'header `alg` is missing');
    if (header.alg.toLowerCase() === 'none')
      return bad(ERROR_CODES.TOKEN_ALG_NONE, 'algorithm `none` is refused');
  }
  for (const header of pair) {
    if (!(TOKEN_ALGS as readonly unknown[]).includes(header.alg)) {
      return bad(ERROR_CODES.TOKEN_ALG_UNSUPPORTED, `algorithm \`${String(header.alg)}\` is not supported`);
    }
  }
  if (h0.alg !== TOKEN_ALGS[0] || h1.alg !== TOKEN_ALGS[1]) {
    return bad(ERROR_CODES.TOKEN_SIGNATURE_ORDER, 'signatures must be `EdDSA` then `ML-DSA-65`');
  }
  const kids: string[] = [];
  for (const header of pair) {
    if ('crit' in header)
      return bad(ERROR_CODES.TOKEN_CRIT_UNKNOWN, 'header `crit` names unsupported extensions');
    const keyHeader = Object.keys(header).find((key) => KEY_HEADERS.has(key));
    if (keyHeader !== undefined) {
      return bad(ERROR_CODES.TOKEN_HEADER_INVALID, `header \`${keyHeader}\` is not accepted`);
    }
    const unknown = Object.keys(header).find((key) => !HEADER_KEYS.has(key));
    if (unknown !== undefined)
      return bad(ERROR_CODES.TOKEN_HEADER_INVALID, `header \`${unknown}\` is not accepted`);
    if (header.typ !== TOKEN_TYP)
      return bad(ERROR_CODES.TOKEN_HEADER_INVALID, `header \`typ\` is not \`${TOKEN_TYP}\``);
    const kid = header.kid;
    if (typeof kid !== 'string' || kid.length === 0 || kid.length > LIMITS.idLengthMax) {
      return bad(ERROR_CODES.TOKEN_HEADER_INVALID, 'header `kid` is missing or invalid');
    }
    kids.push(kid);
  }
  const [kid0 = '', kid1 = ''] = kids;
  if (kid0 !== kid1) return bad(ERROR_CODES.TOKEN_HEADER_INVALID, 'the two signatures name different keys');
  return ok([
    { alg: TOKEN_ALGS[0], kid: kid0, typ: TOKEN_TYP },
    { alg: TOKEN_ALGS[1], kid: kid1, typ: TOKEN_TYP },
  ]);
}

/** Base64url without padding, in its one canonical spelling (unused trailing bits zero). */
function isBase64url(text: string): boolean {
  if (!B64URL.test(text) || text.length % 4 === 1) return false;
  return Buffer.from(text, 'base64url').toString('base64url') === text;
}

function decodeText(encoded: string): string | undefined {
  try {
    return utf8.decode(Buffer.from(encoded, 'base64url'));
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bad(code: ErrorCode, message: string): Result<never, KernelError> {
  return fail(code, message);
}
