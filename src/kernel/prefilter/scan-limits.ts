// Bounds of the structural pre-filter (DSC check 7). Kept beside the scanner because only it uses
// them; every value is a hard cap on work or output per scan, so one hostile intent stays cheap.

import { LIMITS } from '../limits.ts';

export const SCAN_LIMITS = {
  /** Findings listed per scan; the score still counts the ones left out. */
  findingsMax: 32,
  /** Strings, arrays and objects walked per scan (a 256 KiB intent holds at most ~128 Ki values). */
  valuesMax: 128 * 1024,
  /** Nesting the walker descends; deeper is itself a finding (the intent parser allows no more). */
  depthMax: LIMITS.intentDepthMax,
  /** Characters of matched text kept in a finding's sample, before escaping. */
  sampleCharsMax: 80,
  /** Characters of an object key shown in a finding's path. */
  pathKeyCharsMax: 40,
  /** Shortest run of base64 characters worth decoding: 24 characters carry 18 bytes. */
  base64RunCharsMin: 24,
  /** Base64 characters decoded per string, over all its runs. */
  base64CharsMax: 16 * 1024,
  /** Base64 runs examined per string. */
  base64RunsMax: 32,
  /** Extra signatures a policy may add, and the length of each. */
  signaturesMax: 64,
  signatureLengthMax: 512,
  /** Consecutive variation selectors an emoji or ideograph legitimately uses. */
  variationSelectorRunMax: 2,
} as const;
