// Sentry-initiated fast apoptosis (§37.11.2, DR-M3): in the Standard profile only, exactly three
// deterministic hard violations send an agent straight to elimination and healing. Adding a
// condition is a spec change, never configuration, so the list is a frozen constant.

import type { Anomaly, AnomalyKind, SecurityProfile } from './port.ts';

/**
 * (a) network to a destination not on the token's allowlist; (b) executing code outside the
 * workspace the Filesystem Gateway defines; (c) output failing DSC check 7 above the hard-block
 * threshold.
 */
export const FAST_APOPTOSIS_KINDS: readonly AnomalyKind[] = Object.freeze([
  'violation:network',
  'violation:fs-exec',
  'violation:prefilter',
]);

/** Who may observe the three violations: the Sentry (a, b) and the DSC (c). Never a peer. */
const WITNESSES: ReadonlySet<string> = new Set(['sentry', 'dsc']);

/** Whether this anomaly, under this profile, skips stages 1 to 3. Hardened and Isolated: never. */
export function isFastApoptosis(profile: SecurityProfile, anomaly: Anomaly): boolean {
  return (
    profile === 'standard' && WITNESSES.has(anomaly.source) && FAST_APOPTOSIS_KINDS.includes(anomaly.kind)
  );
}
