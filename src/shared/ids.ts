// UUIDv7 identifiers (RFC 9562 §5.7): 48-bit Unix milliseconds, version, 74 random bits.
// Built from the clock and random ports so ids are reproducible under a seeded simulation.
// Also the grammar of agent ids and message names, which the bus, the pod gateways and the HTTP
// routes check alike.

import type { Clock } from './clock.ts';
import type { Random } from './random.ts';

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Returns a new UUIDv7 string whose time part is `clock.wallMs()`. */
export function uuidv7(clock: Clock, random: Random): string {
  const bytes = random.bytes(16);
  let ms = Math.max(0, Math.floor(clock.wallMs()));
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  let out = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out += '-';
    out += HEX[bytes[i] ?? 0];
  }
  return out;
}

export function isUuidv7(value: string): boolean {
  return UUID_V7.test(value);
}

/** The millisecond timestamp a UUIDv7 carries. */
export function uuidv7Ms(id: string): number {
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/** An agent id as pod manifests allow it: letters, digits, `_`, `.` and `-`, 1 to 128 characters. */
export const AGENT_ID_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;
/** A message type, schema id or vouch subject: letters, digits and `_ . : / # -`, 1 to 256 characters. */
export const MESSAGE_NAME_PATTERN = /^[A-Za-z0-9_.:/#-]{1,256}$/;

export function isAgentId(value: unknown): value is string {
  return typeof value === 'string' && AGENT_ID_PATTERN.test(value);
}

export function isMessageName(value: unknown): value is string {
  return typeof value === 'string' && MESSAGE_NAME_PATTERN.test(value);
}
