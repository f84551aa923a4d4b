// Public face of kernel/journal: the hash-chained write-ahead and audit log, and its verifier.

export {
  Journal,
  type JournalHead,
  type JournalOptions,
  type JournalSigner,
  journalSignerOf,
} from './journal.ts';
export {
  CHECKPOINT_TYPE,
  type CheckpointData,
  HEADER_TYPE,
  isRecordType,
  type JournalEntry,
  type JournalHeaderData,
  type JournalRecord,
} from './journal-record.ts';
export {
  type VerifyFailureReason,
  type VerifyOptions,
  type VerifyReport,
  verifyJournal,
} from './verify-journal.ts';
