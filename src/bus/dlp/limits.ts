// Bounds of one DLP scan of a bus payload. Every value caps work per message, so one hostile
// payload stays cheap; going past any of them is reported as an `oversized` finding (fail closed).

export type DlpLimits = {
  /**
   * UTF-16 code units scanned per payload, keys included, counted before normalisation (NFKC
   * expands a code unit at most 18-fold, so the work stays bounded).
   */
  readonly scannedCharsMax: number;
  /** Values (strings, numbers, arrays, objects) and keys walked per payload. */
  readonly valuesMax: number;
  /** Nesting the walker descends into; a deeper container is not scanned. */
  readonly depthMax: number;
};

export const DLP_LIMITS: DlpLimits = {
  scannedCharsMax: 1024 * 1024,
  valuesMax: 100_000,
  depthMax: 128,
};
