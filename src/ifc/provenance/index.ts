// Public face of src/ifc/provenance: argument provenance (issue 7), the index of everything a
// session has seen and the classification of a side effect's arguments against it.

export { doubtOf, matchForm, numericForm } from './normalize.ts';
export {
  type FieldLabelRule,
  indexLeaves,
  indexOutput,
  type LabelledLeaf,
  OUTPUT_LEAVES_LIMITS,
  outputLeaves,
  type RecordClassifier,
  stringifyBounded,
} from './output-leaves.ts';
export {
  PROVENANCE_LIMITS,
  ProvenanceIndex,
  type ProvenanceLimits,
  type SourceRef,
} from './provenance-index.ts';
export { OVERSIZED, type ProvenanceClass, type SourceHit, type ValueProvenance } from './value-provenance.ts';
