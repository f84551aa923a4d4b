// The memory adapter against the bus conformance suite, with senders signing each envelope alone
// and with senders signing through a batch signer.

import { MemoryBus } from '../../src/bus/index.ts';
import { type AdapterUnderTest, runBusConformance } from './conformance.ts';

const memory: AdapterUnderTest = {
  name: 'memory',
  open: async (options) => {
    const bus = new MemoryBus(options);
    return { bus, peer: async () => bus, dispose: () => bus.close() };
  },
};

runBusConformance(memory, 'single');
runBusConformance(memory, 'batched');
