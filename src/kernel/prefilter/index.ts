// Public face of the structural pre-filter (DSC check 7). The check itself, which turns a score
// into a verdict, is kernel/checks/prefilter.ts.

export type { PrefilterFinding, PrefilterFindingKind, PrefilterResult } from './finding.ts';
export { SCORES } from './finding.ts';
export { compilePrefilter, type Prefilter, type PrefilterTarget } from './prefilter.ts';
export { SCAN_LIMITS } from './scan-limits.ts';
export { INJECTION_SIGNATURES, type InjectionSignature } from './signatures.ts';
