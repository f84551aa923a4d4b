// What the http connector makes of a response: the body read as a bounded stream (stopped the
// moment it passes the limit), then `{ status, headers, body }` with JSON bodies parsed strictly.

import { ERROR_CODES, type JsonValue, KernelError, parseJsonStrict } from '../shared/index.ts';

const JSON_DEPTH_MAX = 64;
const text = new TextDecoder('utf-8');

function oversized(bytesMax: number): KernelError {
  return new KernelError(ERROR_CODES.OVERSIZED_INPUT, `response body is larger than ${bytesMax} bytes`, {
    bytesMax,
  });
}

/**
 * Reads the body up to `bytesMax` bytes (after any content decoding), cancelling the stream and
 * failing with OVERSIZED_INPUT beyond it. A declared `content-length` over the limit fails at once.
 */
export async function readBodyBounded(response: Response, bytesMax: number): Promise<Uint8Array> {
  const body = response.body;
  if (body === null) return new Uint8Array(0);
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > bytesMax) {
    await body.cancel();
    throw oversized(bytesMax);
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > bytesMax) {
      await reader.cancel();
      throw oversized(bytesMax);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

function isJsonType(contentType: string | null): boolean {
  if (contentType === null) return false;
  const media = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'));
}

/**
 * The JSON result of a request: status, the two headers an agent or a compensation may need, and
 * the body: parsed when the content type says JSON and it parses strictly, text otherwise.
 */
export function toResult(response: Response, bytes: Uint8Array, bytesMax: number): JsonValue {
  const headers: Record<string, string> = {};
  const contentType = response.headers.get('content-type');
  const location = response.headers.get('location');
  if (contentType !== null) headers['content-type'] = contentType;
  if (location !== null) headers.location = location;
  let body: JsonValue = text.decode(bytes);
  if (isJsonType(contentType)) {
    const parsed = parseJsonStrict(bytes, { bytesMax, depthMax: JSON_DEPTH_MAX });
    // WHY: a server that lies about its content type still answered; keep its bytes as text.
    if (parsed.ok) body = parsed.value;
  }
  return { status: response.status, headers, body };
}
