// Public face of src/connectors: the connector port and the built-in connectors (fs, http, kv)
// that the commit layer drives.

export { createFsConnector, FS_LIST_ENTRIES_MAX, type FsConnectorOptions } from './fs.ts';
export { FS_FILE_BYTES_MAX } from './fs-file.ts';
export { createHttpConnector, type HttpCompensation, type HttpConnectorOptions } from './http.ts';
export { createKvConnector } from './kv.ts';
export type { Connector, EffectRequest, ExecuteOptions, ProbeResult, UndoPlan } from './port.ts';
