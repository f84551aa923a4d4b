// Connectors for tests and benchmarks: a no-op (the full pipeline with nothing behind it), a slow
// one (lock timeouts), and an append-only log whose every line is one effect, so a crash test can
// count effects run twice.

import { appendFileSync, closeSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import type { Connector, EffectRequest } from '../connectors/port.ts';

export function noopConnector(name = 'test'): Connector {
  return {
    name,
    actions: { [`${name}.noop`]: 'write' },
    stateHash: async () => 'absent',
    prepare: async () => ({ kind: 'snapshot', data: null }),
    execute: async () => ({ ok: true }),
    probe: async () => 'applied',
    undo: async () => {},
    discard: async () => {},
  };
}

/** `test.slow` waits `ms` (or until aborted); records whether it saw the abort. */
export function slowConnector(ms: number, seen: { aborted: number; undone: number }): Connector {
  return {
    name: 'test',
    actions: { 'test.slow': 'write' },
    stateHash: async () => 'absent',
    prepare: async () => ({ kind: 'snapshot', data: null }),
    execute: (_request, { signal }) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => resolve({ slept: ms }), ms);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          seen.aborted++;
          reject(new Error('aborted'));
        });
      }),
    probe: async () => 'not-applied',
    undo: async () => {
      seen.undone++;
    },
    discard: async () => {},
  };
}

/**
 * `log.append` appends `<intentId>\n` to one file with fsync: the line is the effect. `probe` looks
 * for the line, so recovery never appends it twice; a duplicate line is a broken exactly-once.
 */
export function appendLogConnector(path: string): Connector {
  const lines = (): string[] => {
    try {
      return readFileSync(path, 'utf8').split('\n');
    } catch {
      return [];
    }
  };
  return {
    name: 'log',
    actions: { 'log.append': 'write' },
    stateHash: async () => 'absent',
    prepare: async () => ({ kind: 'none' }),
    execute: async (request: EffectRequest) => {
      appendFileSync(path, `${request.intentId}\n`);
      const fd = openSync(path, 'r+');
      fsyncSync(fd);
      closeSync(fd);
      return { appended: request.intentId };
    },
    probe: async (request) => (lines().includes(request.intentId) ? 'applied' : 'not-applied'),
    undo: async () => {},
    discard: async () => {},
  };
}
