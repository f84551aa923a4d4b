// Keeps the serialized token of a held intent in storage (owner-only, like the keys beside it), so
// an approval given after a restart can still verify the agent's token. Deleted once decided.

import type { HeldTokenStore } from '../kernel/index.ts';
import type { Storage } from '../storage/port.ts';

const NAMESPACE = 'held-token';

export function storageHeldTokens(storage: Storage): HeldTokenStore {
  return {
    put: async (intentId, token) => {
      await storage.put(NAMESPACE, intentId, token);
    },
    get: async (intentId) => (await storage.get(NAMESPACE, intentId))?.value,
    delete: async (intentId) => {
      await storage.delete(NAMESPACE, intentId);
    },
  };
}
