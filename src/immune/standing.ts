// Which aggregate type an intent belongs to (§49.11: a crossing escalates later intents "of that
// type"). Read on every decision, so it looks only at the action, the resource scheme and the class.

import type { Intent, SideEffectClass } from '../kernel/index.ts';
import type { IntentType } from './aggregate-monitor.ts';

/** Resource schemes that reach outside MAOS: every intent on them is an external API call. */
const EXTERNAL_SCHEMES: ReadonlySet<string> = new Set(['http', 'https', 'mcp', 'tool']);

/**
 * The mapping:
 * - action `message.send` → `message` (recipients, outbound bytes, bytes per peer);
 * - action `ifc.declassify` → `declassification`;
 * - a resource with scheme `http:`, `https:`, `mcp:` or `tool:`, or any intent whose side-effect
 *   class is not `read` → `api-call` (API calls, outbound bytes, bytes per peer);
 * - anything else (a read of a local resource) → no type: aggregates never restrict it.
 */
export function intentTypeOf(intent: Intent, sideEffect: SideEffectClass): IntentType | undefined {
  if (intent.action === 'message.send') return 'message';
  if (intent.action === 'ifc.declassify') return 'declassification';
  if (sideEffect !== 'read') return 'api-call';
  const colon = intent.resource.indexOf(':');
  if (colon <= 0) return undefined;
  return EXTERNAL_SCHEMES.has(intent.resource.slice(0, colon).toLowerCase()) ? 'api-call' : undefined;
}
