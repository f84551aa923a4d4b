// What the http connector makes of a response (its body read by the shared `readBodyBounded`):
// `{ status, headers, body }` with JSON bodies parsed strictly.

import { type JsonValue, parseJsonStrict } from '../shared/index.ts';

const JSON_DEPTH_MAX = 64;
const text = new TextDecoder('utf-8');

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
