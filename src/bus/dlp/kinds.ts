// The stable names of what the DLP scanner reports, and the span type every detector returns.
// Kinds appear in findings, audit records and redaction markers, so they never change meaning.

/** Every kind a finding can carry. `oversized` means part of the payload was not scanned. */
export const DLP_KINDS = [
  'private-key',
  'aws-access-key-id',
  'aws-secret-access-key',
  'github-token',
  'slack-token',
  'stripe-key',
  'google-api-key',
  'jwt',
  'credential-assignment',
  'high-entropy-secret',
  'email',
  'iban',
  'card-number',
  'oversized',
] as const;

export type DlpKind = (typeof DLP_KINDS)[number];

/** A detection in one string: `[start, end)` in UTF-16 code units of the text the detector saw. */
export type Detection = { readonly kind: DlpKind; readonly start: number; readonly end: number };

/** Prefix of every redaction marker, so detectors can treat an already-redacted value as empty. */
export const REDACTION_PREFIX = '[REDACTED:';

/** The text that replaces a detected span in redact mode. Scanning it finds nothing. */
export function redactionMarker(kind: DlpKind): string {
  return `${REDACTION_PREFIX}${kind}]`;
}
