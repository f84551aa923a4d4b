// DSC decision benchmarks: the full seven-check decision with a cached token at 10, 100 and 1,000
// scopes, 10,000 agents registered; plus the same with the whole token inline, and the async front door.

import { AGENTS_REGISTERED, benchKernel, benchPolicy } from './fixture.ts';
import type { BenchCase } from './harness.ts';

export async function decideCases(): Promise<BenchCase[]> {
  const policy = benchPolicy();
  const cases: BenchCase[] = [];
  for (const scopes of [10, 100, 1000]) {
    const { kernel, intent } = await benchKernel(policy, scopes);
    cases.push({
      name: `decide/cached/scopes=${scopes}`,
      iterations: 200_000,
      run: () => kernel.decide(intent).verdict === 'allow',
      meta: { scopes, agents: AGENTS_REGISTERED, checks: 7 },
    });
  }
  const big = await benchKernel(policy, 1000);
  cases.push({
    name: 'decide/inline-token/scopes=1000',
    iterations: 20_000,
    run: () => big.kernel.decide(big.inlineIntent).verdict === 'allow',
    meta: {
      scopes: 1000,
      agents: AGENTS_REGISTERED,
      tokenBytes: big.token.length,
      note: 'digest of the full token hashed per call',
    },
  });
  const small = await benchKernel(policy, 10);
  cases.push({
    name: 'decide/submit/scopes=10',
    iterations: 50_000,
    run: async () => {
      // A fresh input object each call, as from a caller; the kernel validates it every time.
      const result = await small.kernel.submit({ ...small.intent });
      return result.ok && result.value.verdict === 'allow';
    },
    meta: { scopes: 10, note: 'async front door: intent schema validation + decision' },
  });
  return cases;
}
