// One client connection to the gateway: its own MCP `Server` (stdio, or one per Streamable HTTP
// session) over the shared gateway, and the integrity of what its agent has read so far — once a
// result labelled EXTERNAL_UNTRUSTED reaches the model, every later intent carries that taint.

import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { type Integrity, joinIntegrity, type Label } from '../ifc/index.ts';
import { packageVersion } from '../runtime/version.ts';
import { uuidv7 } from '../shared/index.ts';
import type { Gateway } from './gateway.ts';
import { registerHandlers } from './session-handlers.ts';

export class GatewaySession {
  readonly id: string;
  readonly server: Server;
  #integrity: Integrity = 'UNTRUSTED';

  constructor(gateway: Gateway) {
    this.id = uuidv7(gateway.runtime.clock, gateway.runtime.random);
    this.server = new Server(
      { name: 'maos-gateway', version: packageVersion() },
      {
        capabilities: {
          tools: { listChanged: true },
          resources: {},
          prompts: {},
        },
        instructions:
          'Tools are served through MAOS: every call is decided by a security policy and journaled. ' +
          'A refused call returns an error whose text starts with a stable code; do not retry a denied call unchanged.',
      },
    );
    registerHandlers(gateway, this);
    this.server.onclose = () => gateway.sessions.delete(this.server);
    gateway.sessions.add(this.server);
  }

  /**
   * The label to put on this session's next intent. WHY only integrity: the gateway cannot know
   * what else the client's model has read, so confidentiality stays the kernel's default (the
   * agent's clearance); integrity only ever gets worse, and only results the gateway saw move it.
   */
  label(gateway: Gateway): Label | undefined {
    if (this.#integrity === 'UNTRUSTED') return undefined;
    const clearance = gateway.runtime.kernel.policy.agents.get(gateway.agent)?.clearance ?? 'PUBLIC';
    return { confidentiality: clearance, integrity: this.#integrity };
  }

  read(label: Label): void {
    this.#integrity = joinIntegrity(this.#integrity, label.integrity);
  }

  canElicit(gateway: Gateway): boolean {
    return (
      gateway.mcp.elicitation &&
      gateway.runtime.kernel.policy.profile === 'standard' &&
      this.server.getClientCapabilities()?.elicitation !== undefined
    );
  }

  clientName(): string {
    return this.server.getClientVersion()?.name?.slice(0, 64) ?? 'client';
  }
}
