// E-mail address detector: a practical subset of RFC 5322, the dot-atom form that people and
// systems actually send (`first.last+tag@mail.example.co.uk`, internationalised letters too).
// It grows each candidate outward from an `@`, so the cost is linear and bounded per `@`.

import type { Detection } from './kinds.ts';

/** RFC 5321 bounds: 64 for the local part, 253 for the domain, 63 per label. */
const LOCAL_CHARS_MAX = 64;
const DOMAIN_CHARS_MAX = 253;
const LABEL_CHARS_MAX = 63;

const LOCAL_ASCII = /[A-Za-z0-9._%+-]/;
const DOMAIN_ASCII = /[A-Za-z0-9.-]/;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const TLD = /^(?:[\p{L}]{2,63}|xn--[a-z0-9-]{1,59})$/iu;
const TLD_PREFIX = /^\p{L}{2,63}(?=[^\p{L}])/u;
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?$/u;
/** `icon@2x.png` names an image at a pixel density, not a mailbox. */
const FILE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'avif', 'ico', 'bmp']);

/** Finds e-mail addresses in `text` (already normalised). Quoted local parts are not covered. */
export function findEmails(text: string): Detection[] {
  const out: Detection[] = [];
  let at = text.indexOf('@');
  let scannedTo = 0;
  while (at !== -1) {
    const found = emailAround(text, at, scannedTo);
    if (found !== undefined) {
      out.push(found);
      scannedTo = found.end;
    }
    at = text.indexOf('@', Math.max(at + 1, scannedTo));
  }
  return out;
}

function emailAround(text: string, at: number, floor: number): Detection | undefined {
  let start = at;
  while (start > floor && at - start < LOCAL_CHARS_MAX && isLocalChar(text, start - 1)) start--;
  if (start > floor && isLocalChar(text, start - 1)) return undefined;
  while (text[start] === '.') start++;
  let end = at + 1;
  while (end < text.length && end - at - 1 < DOMAIN_CHARS_MAX && isDomainChar(text, end)) end++;
  while (end > at + 1 && (text[end - 1] === '.' || text[end - 1] === '-')) end--;
  const local = text.slice(start, at);
  if (local === '' || local.includes('..') || local.endsWith('.')) return undefined;
  // WHY the domain is cut from the right: in "ada@example.com.4111…" and "ada@example.com-4111"
  // the address ends before the dot or hyphen; glued digits must not hide it.
  let domain = text.slice(at + 1, end);
  while (!domainIsValid(domain)) {
    const dot = domain.lastIndexOf('.');
    if (dot === -1) return undefined;
    const letters = TLD_PREFIX.exec(domain.slice(dot + 1))?.[0] ?? '';
    const cut = dot + 1 + letters.length;
    domain =
      letters !== '' && cut < domain.length && domainIsValid(domain.slice(0, cut))
        ? domain.slice(0, cut)
        : domain.slice(0, dot);
  }
  return { kind: 'email', start, end: at + 1 + domain.length };
}

function domainIsValid(domain: string): boolean {
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  for (const label of labels) {
    if (label.length > LABEL_CHARS_MAX || !LABEL.test(label)) return false;
  }
  const tld = labels[labels.length - 1] ?? '';
  return TLD.test(tld) && !FILE_EXTENSIONS.has(tld.toLowerCase());
}

function isLocalChar(text: string, i: number): boolean {
  const char = text[i] ?? '';
  return LOCAL_ASCII.test(char) || (char > '\x7f' && LETTER_OR_DIGIT.test(char));
}

function isDomainChar(text: string, i: number): boolean {
  const char = text[i] ?? '';
  return DOMAIN_ASCII.test(char) || (char > '\x7f' && LETTER_OR_DIGIT.test(char));
}
