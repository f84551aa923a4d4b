// An HTTP response body read as a bounded stream: stopped the moment it passes the limit, so a
// broken or hostile server cannot make the host buffer more than it asked for. Used wherever MAOS
// reads a `fetch` reply (the http connector, the OpenAI-compatible LLM provider).

import { ERROR_CODES, KernelError } from './errors.ts';

/**
 * Reads the body up to `bytesMax` bytes (after any content decoding), cancelling the stream and
 * throwing OVERSIZED_INPUT beyond it. A declared `content-length` over the limit fails at once,
 * with `details.declaredBytes`. A response without a body reads as no bytes.
 */
export async function readBodyBounded(response: Response, bytesMax: number): Promise<Uint8Array> {
  const body = response.body;
  if (body === null) return new Uint8Array(0);
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > bytesMax) {
    await body.cancel();
    throw oversized(bytesMax, { declaredBytes: declared });
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

function oversized(bytesMax: number, more?: { readonly declaredBytes: number }): KernelError {
  return new KernelError(ERROR_CODES.OVERSIZED_INPUT, `response body is larger than ${bytesMax} bytes`, {
    bytesMax,
    ...more,
  });
}
