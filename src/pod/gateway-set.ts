// The five agent-facing gateways of one pod, built from its manifest (§41.3). The sixth, admin,
// is the pod's own control surface (signals, health) and is never handed to the Sentry.

import { type Clock, type KernelError, ok, type Result } from '../shared/index.ts';
import { FsGateway } from './gateways/fs-gateway.ts';
import { InboundGateway } from './gateways/inbound-gateway.ts';
import { LlmGateway } from './gateways/llm-gateway.ts';
import { type AgentMemory, MemoryRouter } from './gateways/memory-router.ts';
import { OutboundGateway } from './gateways/outbound-gateway.ts';
import type { Gateway, PodServices } from './gateways/port.ts';
import { ToolGateway } from './gateways/tool-gateway.ts';
import type { LlmProvider } from './llm/provider.ts';
import type { AgentManifest } from './manifest.ts';

export type GatewaySet = { readonly list: readonly Gateway[]; readonly inbound: InboundGateway };

export async function buildGateways(options: {
  readonly manifest: AgentManifest;
  readonly workspace: string;
  readonly clock: Clock;
  readonly services: PodServices;
  readonly providers: readonly LlmProvider[];
  /** The agent's VFS (`/mem`, `/policy`, `/session`), routed beside its workspace; absent: workspace only. */
  readonly memory?: AgentMemory;
}): Promise<Result<GatewaySet, KernelError>> {
  const { manifest, workspace, clock, services, providers } = options;
  const config = manifest.gateways;
  const fs = await FsGateway.open({ config: config.fs, root: workspace });
  if (!fs.ok) return fs;
  const inbound = new InboundGateway({ config: config.inbound, clock });
  return ok({
    inbound,
    list: [
      new ToolGateway({ config: config.tool, services, clock }),
      new LlmGateway({ config: config.llm, providers, services, clock }),
      options.memory === undefined ? fs.value : new MemoryRouter(fs.value, options.memory),
      new OutboundGateway({ config: config.outbound, services, clock }),
      inbound,
    ],
  });
}
