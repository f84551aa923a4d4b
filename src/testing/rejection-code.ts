// For tests of APIs that reject with a `KernelError`: the code it rejected with, or `resolved`.

import assert from 'node:assert/strict';
import { isKernelError } from '../shared/index.ts';

export async function rejectionCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isKernelError(error), `expected a KernelError, got ${String(error)}`);
    return error.code;
  }
  return 'resolved';
}
