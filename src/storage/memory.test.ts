// The in-memory adapter against the storage conformance suite.

import { storageConformance } from './conformance.ts';
import { MemoryStorage } from './memory.ts';

storageConformance('memory', async () => new MemoryStorage());
