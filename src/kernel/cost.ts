// Cost arithmetic over the three budget dimensions (§15.3 check 3, MR-7).
// A budget dimension of Infinity is unlimited.

import type { Cost } from './intent.ts';

export const ZERO_COST: Cost = Object.freeze({ tokens: 0, apiCalls: 0, costMicros: 0 });
export const COST_DIMENSIONS = ['tokens', 'apiCalls', 'costMicros'] as const;
export type CostDimension = (typeof COST_DIMENSIONS)[number];

export function addCost(a: Cost, b: Cost): Cost {
  return {
    tokens: a.tokens + b.tokens,
    apiCalls: a.apiCalls + b.apiCalls,
    costMicros: a.costMicros + b.costMicros,
  };
}

export function subtractCost(a: Cost, b: Cost): Cost {
  return {
    tokens: a.tokens - b.tokens,
    apiCalls: a.apiCalls - b.apiCalls,
    costMicros: a.costMicros - b.costMicros,
  };
}

export type BudgetShortfall = { readonly dimension: CostDimension; readonly exhausted: boolean };

/**
 * Compares a request with what remains of a budget. A dimension whose remainder is zero or less is
 * exhausted and denies even a zero request (MR-7: no grace); otherwise the request must fit.
 */
export function budgetShortfall(budget: Cost, spent: Cost, request: Cost): BudgetShortfall | undefined {
  for (const dimension of COST_DIMENSIONS) {
    const remaining = budget[dimension] - spent[dimension];
    if (remaining <= 0) return { dimension, exhausted: true };
    if (request[dimension] > remaining) return { dimension, exhausted: false };
  }
  return undefined;
}
