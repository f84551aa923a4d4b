// How every gateway (and the Sentry, for calls no gateway saw) builds a `GatewayAnswer`: the call's
// facts beside its result, with the facts' `code` always taken from the result's error.

import type { JsonValue, KernelError, Result } from '../../shared/index.ts';
import type { CallFacts, GatewayAnswer } from './port.ts';

/** A settled call: `bytesIn` came back, `blocked` says whether the gateway or the DSC refused it. */
export function answer(
  target: string,
  bytesOut: number,
  bytesIn: number,
  result: Result<JsonValue, KernelError>,
  blocked: boolean,
  more?: Pick<CallFacts, 'violation' | 'external'>,
): GatewayAnswer {
  return {
    result,
    facts: {
      target,
      bytesOut,
      bytesIn,
      blocked,
      ...(result.ok ? {} : { code: result.error.code }),
      ...more,
    },
  };
}

/** A call the gateway refused itself: blocked, nothing came back; `violation` for the immune system. */
export function refuse(
  target: string,
  bytesOut: number,
  error: Result<never, KernelError>,
  violation?: string,
): GatewayAnswer {
  return answer(target, bytesOut, 0, error, true, violation === undefined ? undefined : { violation });
}
