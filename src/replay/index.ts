// Public face of src/replay: deciding recorded agent traces without executing them (issue 7).

export {
  type CallOutcome,
  type LineError,
  Replayer,
  type ReplayLine,
  type ReplayOptions,
  type ReplaySummary,
  type ReplayVerdict,
  TOOL_UNKNOWN,
} from './replay.ts';
export type { DeclassifyLine, DeclassifySummary } from './replay-declassify.ts';
export { parseTraceLine, TRACE_LINE_BYTES_MAX, type TraceLine } from './trace-line.ts';
