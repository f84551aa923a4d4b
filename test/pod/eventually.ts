// Bounded waits for the pod tests that run a whole runtime: a bus receipt, a journal record written
// as a pod retires or a trust update lands after the call that caused it has already settled.

import assert from 'node:assert/strict';
import type { PodRuntime } from '../../src/runtime/pod-runtime.ts';

/** Long enough for a delivery or a journal write on a loaded machine; a wait that succeeds ends early. */
const WAIT_MS = 15_000;
const POLL_MS = 20;

/** Polls `probe` until it holds; fails the test, naming `what`, when it still does not after the wait. */
export async function eventually(probe: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = performance.now() + WAIT_MS;
  while (!(await probe())) {
    if (performance.now() > deadline) assert.fail(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The data of every journal record of `type`, oldest first. */
export async function journalData(rt: PodRuntime, type: string): Promise<Record<string, unknown>[]> {
  const read = await rt.service.journal({ fromSeq: 0, limit: 10_000, types: [type] });
  assert.ok(read.ok);
  return read.value.map((entry) => entry.data as Record<string, unknown>);
}
