// Public face of src/ifc/declassify: the three-gate declassification protocol (spec §11.3).

export {
  DEFAULT_CLASSIFICATION_DICTIONARY,
  GATE1_FINDINGS_MAX,
  GATE1_SIMILARITY_MAX,
  GATE1_TEXT_BYTES_MAX,
  type Gate1Finding,
  type Gate1FindingKind,
  type Gate1Options,
  type Gate1Request,
  type Gate1Result,
  gate1,
  ibanValid,
  luhnValid,
  trigramCosine,
} from './gate1.ts';
export {
  DECLASSIFY_CODES,
  DECLASSIFY_EVALUATOR_TIMEOUT_MS,
  DECLASSIFY_PER_AGENT_MAX,
  DECLASSIFY_WINDOW_MS,
  Declassifier,
  type DeclassifierOptions,
  type DeclassifyCode,
  type DeclassifyOutcome,
  type DeclassifyProfile,
  type DeclassifyRequest,
  type DeclassifyTemplate,
  type Gate2Evaluator,
  type GateRecord,
} from './protocol.ts';
export {
  decideRelease,
  grantRelease,
  JUSTIFICATION_CHARS_MAX,
  type ReleaseDecision,
  type ReleaseInput,
  releaseRefusal,
} from './session-release.ts';
