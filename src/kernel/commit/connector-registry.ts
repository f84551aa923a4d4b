// Finds the connector for an action by its prefix (`fs.write` → `fs`). An action no connector
// declares is refused: the commit layer never guesses what an effect does (DR-C10).

import type { Connector } from '../../connectors/port.ts';
import { assert } from '../../shared/index.ts';
import type { SideEffectClass } from '../side-effect.ts';

export class ConnectorRegistry {
  readonly #byName = new Map<string, Connector>();

  constructor(connectors: readonly Connector[]) {
    for (const connector of connectors) {
      assert(!this.#byName.has(connector.name), `connector \`${connector.name}\` is registered once`);
      this.#byName.set(connector.name, connector);
    }
  }

  /** The connector that declares `action`, or undefined. */
  for(action: string): Connector | undefined {
    const dot = action.indexOf('.');
    const connector = dot === -1 ? undefined : this.#byName.get(action.slice(0, dot));
    return connector !== undefined && Object.hasOwn(connector.actions, action) ? connector : undefined;
  }

  /** The side-effect class the connector declares for `action`, if a connector handles it. */
  sideEffect(action: string): SideEffectClass | undefined {
    return this.for(action)?.actions[action];
  }
}
