// A `KernelService` whose only working part is `pods`, for tests of the pod routes and commands
// (the pod routes call nothing else; every other method fails or answers empty).

import type { KernelService, PodControl } from '../runtime/service.ts';
import { ERROR_CODES, fail } from '../shared/index.ts';

export function serviceWithPods(pods: PodControl | undefined): KernelService {
  const none = () => Promise.resolve(fail(ERROR_CODES.NOT_FOUND, 'not in this test'));
  return {
    submit: none,
    status: none,
    held: async () => [],
    approve: none,
    reject: none,
    undo: none,
    journal: none,
    verify: async () => ({ ok: true, records: 0, checkpoints: 0, headSeq: 0 }),
    health: async () => {
      throw new Error('not in this test');
    },
    openSession: none,
    session: none,
    addTask: none,
    closeSession: none,
    ...(pods === undefined ? {} : { pods }),
  };
}
