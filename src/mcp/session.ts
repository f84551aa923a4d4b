// One client connection to the gateway: its own MCP `Server` (stdio, or one per Streamable HTTP
// session) over the shared gateway, and its kernel session: the kernel records every result the
// client's model reads there, so labels and argument provenance follow the conversation (issue 7).

import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { packageVersion } from '../runtime/version.ts';
import { uuidv7 } from '../shared/index.ts';
import type { Gateway } from './gateway.ts';
import { registerHandlers } from './session-handlers.ts';

export class GatewaySession {
  readonly id: string;
  readonly server: Server;

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
    // WHY: the id is fresh, so opening cannot meet another agent's session.
    gateway.runtime.kernel.flows.open(this.id, gateway.agent);
    this.server.onclose = () => {
      gateway.sessions.delete(this.server);
      gateway.runtime.kernel.flows.close(this.id);
    };
    gateway.sessions.add(this.server);
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
