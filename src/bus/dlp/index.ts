// Public face of the bus DLP scanner: what the message gateways call on every payload.

export { DLP_KINDS, type DlpKind, redactionMarker } from './kinds.ts';
export { DLP_LIMITS, type DlpLimits } from './limits.ts';
export { type DlpFinding, type DlpMode, type PayloadScan, scanPayload } from './scan-payload.ts';
export { scanText, type TextFinding, type TextScan } from './scan-text.ts';
