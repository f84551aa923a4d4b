// Public face of src/ifc.

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
