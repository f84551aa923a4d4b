// What the Sentry tells the immune system about a blocked call (§37, §41.2): which anomaly kinds a
// gateway's facts amount to. A pure function, so the mapping is testable on its own.

import type { AnomalyKind } from '../immune/port.ts';
import type { JsonValue, KernelError } from '../shared/index.ts';
import { ERROR_CODES } from '../shared/index.ts';
import { isDscDenial } from './gateways/intent-outcome.ts';
import type { CallFacts } from './gateways/port.ts';

export type AnomalyDraft = {
  readonly kind: AnomalyKind;
  readonly evidence: { readonly [key: string]: JsonValue };
};

/**
 * Blocked call → anomalies. A blocked network destination is a hard violation (`violation:network`,
 * one of the three fast-apoptosis conditions) and also counts as `network-blocked` (DR-R3). A path
 * outside the workspace is reported as `gateway-blocked` with its evidence: it is an attempt, not
 * code execution, so not `violation:fs-exec`. A DSC denial through the tool or outbound gateway is a
 * `dsc-denial`; an invalid payload a `malformed-call`; anything else `gateway-blocked`.
 */
export function anomaliesOf(
  gateway: string,
  op: string,
  facts: CallFacts,
  error: KernelError | undefined,
): AnomalyDraft[] {
  const evidence: { [key: string]: JsonValue } = { gateway, op, target: facts.target.slice(0, 512) };
  if (facts.code !== undefined) evidence.code = facts.code;
  if (error !== undefined) evidence.message = error.message.slice(0, 512);
  if (facts.violation !== undefined) evidence.violation = facts.violation;
  switch (facts.violation) {
    case 'network':
      return [
        { kind: 'violation:network', evidence },
        { kind: 'network-blocked', evidence },
      ];
    case 'fs-exec':
      return [{ kind: 'violation:fs-exec', evidence }];
    case undefined:
      break;
    default:
      return [{ kind: 'gateway-blocked', evidence }];
  }
  if (error !== undefined && isDscDenial(error)) {
    const checks = error.details?.checks;
    if (Array.isArray(checks)) evidence.checks = checks as JsonValue;
    return [{ kind: 'dsc-denial', evidence }];
  }
  if (facts.code === ERROR_CODES.POD_CALL_INVALID) return [{ kind: 'malformed-call', evidence }];
  return [{ kind: 'gateway-blocked', evidence }];
}
