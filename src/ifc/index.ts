// Public face of src/ifc.

export { FlowSession, type FlowSessionView, type ObservedSource } from './flow-session.ts';
export { type FlowLookup, FlowStore } from './flow-store.ts';
export {
  CONFIDENTIALITY,
  type Confidentiality,
  confidentialityRank,
  flowsTo,
  INTEGRITY,
  type Integrity,
  isConfidentiality,
  isIntegrity,
  joinConfidentiality,
  joinIntegrity,
  joinLabels,
  type Label,
} from './label.ts';
export type {
  FieldLabelRule,
  ProvenanceClass,
  RecordClassifier,
  SourceHit,
  ValueProvenance,
} from './provenance/index.ts';
export { citesRefs, quarantineOutput, resolveRefs } from './quarantine.ts';
export {
  type ArgumentReport,
  classifyArguments,
  clearedDestination,
  type DecisionPacket,
  judgeSink,
  type SinkJudgement,
} from './sink.ts';
export type {
  ArgumentRule,
  ClearanceRule,
  Condition,
  ContextRule,
  ProvenanceRequirement,
  SinkPolicy,
  SinkVerdict,
  ValueCondition,
} from './sink-policy.ts';
