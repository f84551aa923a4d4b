// Arguments of the fs connector's actions, checked strictly: unknown keys are refused, content is
// well-formed and bounded before a single byte is written.

import type { JsonValue } from '../shared/index.ts';
import { ERROR_CODES, KernelError } from '../shared/index.ts';
import { FS_FILE_BYTES_MAX, oversized } from './fs-file.ts';

export type FsEncoding = 'utf8' | 'base64';

type Args = { readonly [key: string]: JsonValue };

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function invalid(message: string): KernelError {
  return new KernelError(ERROR_CODES.INVALID_INPUT, message);
}

/** Refuses any key of `args` not in `allowed`. */
export function onlyKeys(action: string, args: Args, allowed: readonly string[]): void {
  for (const key of Object.keys(args)) {
    if (!allowed.includes(key)) throw invalid(`\`${action}\` does not take argument \`${key}\``);
  }
}

function encodingOf(action: string, value: JsonValue | undefined): FsEncoding | undefined {
  if (value === undefined || value === 'utf8' || value === 'base64') return value;
  throw invalid(`\`${action}\` encoding must be \`utf8\` or \`base64\``);
}

/** `fs.read`: an optional `encoding`; `base64` forces it, otherwise text is utf8 when it decodes. */
export function readEncoding(args: Args): FsEncoding | undefined {
  onlyKeys('fs.read', args, ['encoding']);
  return encodingOf('fs.read', args.encoding);
}

/** `fs.write`: the bytes to write, from `content` in `encoding` (utf8 by default). */
export function writeContent(args: Args): Buffer {
  onlyKeys('fs.write', args, ['content', 'encoding']);
  const content = args.content;
  if (typeof content !== 'string') throw invalid('`fs.write` needs a string `content`');
  const encoding = encodingOf('fs.write', args.encoding) ?? 'utf8';
  if (encoding === 'utf8') {
    if (!content.isWellFormed()) {
      throw new KernelError(ERROR_CODES.INVALID_UTF8, '`fs.write` content contains lone surrogates');
    }
    if (Buffer.byteLength(content, 'utf8') > FS_FILE_BYTES_MAX) throw oversized('content', FS_FILE_BYTES_MAX);
    return Buffer.from(content, 'utf8');
  }
  // WHY: base64 decodes to 3/4 of its length; check before decoding so a huge string costs nothing.
  if ((content.length / 4) * 3 > FS_FILE_BYTES_MAX + 2) throw oversized('content', FS_FILE_BYTES_MAX);
  if (!BASE64.test(content)) throw invalid('`fs.write` content is not valid base64');
  const bytes = Buffer.from(content, 'base64');
  if (bytes.length > FS_FILE_BYTES_MAX) throw oversized('content', FS_FILE_BYTES_MAX);
  return bytes;
}
