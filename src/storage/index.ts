// Public face of src/storage: the port's types and the adapters' openers.

export { MemoryStorage } from './memory.ts';
export type { Entry, ExpectedVersion, JournalRow, Storage, StorageKind, Versioned } from './port.ts';
export { openSqliteStorage, type SqliteOptions, type SqliteSettings, SqliteStorage } from './sqlite.ts';
