// Bearer-token authentication for every API route: the daemon's token from `<dataDir>/api-token`,
// compared in constant time.

import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Returns a check of an `Authorization` header against `token`. WHY: both sides are hashed first, so
 * the comparison takes the same time whatever the length or content of the presented value.
 */
export function bearerChecker(token: string): (header: string | undefined) => boolean {
  const expected = digest(token);
  return (header) => {
    const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
    const presented = match?.[1];
    if (presented === undefined) return false;
    return timingSafeEqual(digest(presented), expected);
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
