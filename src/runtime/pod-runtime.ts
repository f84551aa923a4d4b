// Composition root for agent pods (issue 4): a kernel service plus the pod manager, the immune
// system wired into the DSC (fever, aggregate thresholds, immune memory) and into the pods
// (pause, terminate, replace), and the message connector that carries agent-to-agent messages as
// intents. `maos start` hosts one; the library's `openPodRuntime` gives the same to embedders.

import { join, resolve } from 'node:path';
import { createMessageConnector } from '../connectors/message.ts';
import { type ImmuneOptions, ImmuneSystem } from '../immune/index.ts';
import { AgentVfs } from '../memory/index.ts';
import { type CreateSandbox, createSandbox, PodManager } from '../pod/index.ts';
import {
  type Clock,
  ERROR_CODES,
  fail,
  type JsonValue,
  type KernelError,
  ok,
  type Result,
  systemClock,
} from '../shared/index.ts';
import type { CommitRuntimeOptions } from './commit-runtime.ts';
import { immuneJournal } from './immune-journal.ts';
import { type OpenService, openKernelService } from './kernel-service.ts';
import { Pipeline, type PipelineRun, type PipeStage } from './pipeline.ts';
import { podAgents } from './pod-agents.ts';
import { PodBus } from './pod-bus.ts';
import { providersOf } from './pod-providers.ts';
import { PodSessions } from './pod-sessions.ts';
import { PodTrust } from './pod-trust.ts';
import { PodVouching } from './pod-vouching.ts';
import type { PodControl, PodSignal } from './service.ts';

export type PodRuntimeOptions = CommitRuntimeOptions & {
  /** Overrides the sandbox factory (tests of the code around it). */
  readonly createSandbox?: CreateSandbox;
  /** How often the immune system's timers run (stage expiry, fever end, fingerprint windows). */
  readonly immuneTickMs?: number;
  readonly termGraceMs?: number;
  /** Immune thresholds (stages, fever, aggregate limits, fingerprint); defaults are the spec's. */
  readonly immune?: Omit<ImmuneOptions, 'profile' | 'clock' | 'onCommand' | 'onEvent'>;
};

export type PodRuntime = OpenService & {
  readonly pods: PodManager;
  readonly immune: ImmuneSystem;
  readonly control: PodControl;
  /** The agent-to-agent bus every message between pods crosses. */
  readonly bus: PodBus;
  /** Trust scores (persisted), attestations, vouching and slashing. */
  readonly trust: PodTrust;
  /** Vouch chains on messages and slashes traced back from downstream anomalies. */
  readonly vouching: PodVouching;
  /** Shared sessions: create, mint join tokens, show (chain re-checked). */
  readonly sessions: PodSessions;
  /** Runs a typed pipe: `rt.pipe(['researcher', expect(schema), 'summarizer'], input)`. */
  pipe(stages: readonly (string | PipeStage)[], input: JsonValue): Promise<PipelineRun>;
};

export async function openPodRuntime(options: PodRuntimeOptions): Promise<Result<PodRuntime, KernelError>> {
  const clock: Clock = options.clock ?? systemClock;
  // WHY: the connector and the immune system are built before the bus and the pods they reach.
  const late: { bus?: PodBus; pods?: PodManager } = {};
  const senders = new Map<string, string>();
  // WHY: a committed `message.send` becomes a signed envelope on the bus; the recipient's receive
  // checks (signature, replay, schema, rate, IFC, DLP) decide whether its inbox ever sees it.
  const messages = createMessageConnector(
    async (message) =>
      late.bus === undefined
        ? fail(ERROR_CODES.MESSAGE_DENIED, 'no pods are hosted here')
        : late.bus.send(message.from, message.to, message.type, message.body, message.subject),
    (intentId) => senders.get(intentId),
  );
  const opened = await openKernelService({
    ...options,
    connectors: [...(options.connectors ?? []), messages],
  });
  if (!opened.ok) return opened;
  const base = opened.value;
  const { runtime: rt } = base;
  const trust = new PodTrust({ storage: rt.storage, clock, keys: rt.keys });
  const record = (type: string, data: { readonly [key: string]: JsonValue }) => rt.commits.record(type, data);
  const vouching = new PodVouching({
    ledger: trust.ledger,
    keys: trust.attestationKeys,
    clock,
    scoreOf: (agent) => trust.scoreOf(agent),
    refresh: (agent) => trust.load(agent),
    record,
  });
  const sessions = new PodSessions({ storage: rt.storage, clock, keys: rt.keys.current.ed25519, record });
  const journalImmune = immuneJournal(record);
  const immune = new ImmuneSystem({
    ...options.immune,
    profile: base.config.policy.profile,
    clock,
    // Commands come only from pods' reports and the tick, both of which start after the pods exist.
    onCommand: (command) => void late.pods?.command(command),
    onEvent: (event) => {
      journalImmune(event);
      trust.observe(event);
      vouching.observe(event);
    },
  });
  rt.kernel.useStanding(immune);
  const agents = podAgents({ rt, service: base.service, senders, clock, trust });
  const policy = rt.kernel.policy;
  const bus = new PodBus({
    clock,
    random: rt.random,
    record,
    agents: [...policy.agents.keys()],
    clearanceOf: (agent) => policy.agents.get(agent)?.clearance ?? 'PUBLIC',
    labelOf: (agent) => agents.labelOf(agent),
    trustOf: (agent, envelope, trustFor) => vouching.effective(agent, envelope, trustFor),
    chainOf: (agent, subject) => vouching.chainOf(agent, subject),
    onDelivered: (recipient, envelope) => vouching.delivered(recipient, envelope),
    onUndelivered: (recipient, id) => vouching.undelivered(recipient, id),
  });
  late.bus = bus;
  const pods = new PodManager({
    profile: base.config.policy.profile,
    clock,
    createSandbox: options.createSandbox ?? createSandbox,
    immune,
    standing: (agent) => immune.status(agent),
    services: {
      ...agents.services,
      vouch: (voucher, vouchee, subject) => vouching.vouch(voucher, vouchee, subject),
    },
    lifecycle: {
      admit: async (manifest) => {
        const admitted = await agents.lifecycle.admit(manifest);
        if (!admitted.ok) return admitted;
        await trust.load(manifest.id);
        const joined = await bus.join(manifest);
        if (!joined.ok) await agents.lifecycle.retire(manifest.id, 'bus refused');
        return joined;
      },
      task: (agent, task) => agents.lifecycle.task(agent, task),
      retire: async (agent, why) => {
        await bus.leave(agent);
        await agents.lifecycle.retire(agent, why);
      },
    },
    providers: providersOf(base.config.config.pods.providers),
    // Each pod's VFS: working memory (gone with the pod), episodic memory (in storage), and its
    // manifest and grants mounted read-only at /policy.
    openMemory: async (manifest) => {
      const vfs = await AgentVfs.open({
        agent: manifest.id,
        storage: rt.storage,
        policy: {
          'manifest.json': JSON.stringify(manifest, null, 2),
          'grants.json': JSON.stringify(policy.agents.get(manifest.id)?.grants ?? [], null, 2),
        },
      });
      return vfs.ok ? ok(sessions.memoryOf(manifest.id, vfs.value)) : vfs;
    },
    workspaceRoot: resolve(base.dataDir, base.config.config.pods.workspaces),
    ...(options.termGraceMs === undefined ? {} : { termGraceMs: options.termGraceMs }),
  });
  late.pods = pods;
  bus.attach(pods);
  const tick = setInterval(() => immune.tick(), options.immuneTickMs ?? 1_000);
  tick.unref();
  const control = podControl(pods, immune);
  return ok({
    ...base,
    service: { ...base.service, pods: control, sessions },
    pods,
    immune,
    bus,
    trust,
    vouching,
    sessions,
    control,
    pipe: (stages, input) => runPipe(stages, input, pods, bus),
    close: async () => {
      clearInterval(tick);
      await pods.closeAll();
      await bus.close();
      await base.close();
    },
  });
}

function podControl(pods: PodManager, immune: ImmuneSystem): PodControl {
  return {
    list: async () => pods.list(),
    start: async (dir) => pods.start(dir),
    task: (agent, task: JsonValue) => pods.task(agent, task),
    signal: (agent, signal: PodSignal) => pods.signal(agent, signal, 'operator'),
    quarantine: async (agent, stage, decider) => {
      const known = pods.summary(agent);
      if (!known.ok) return known;
      if (!Number.isInteger(stage) || stage < 0 || stage > 5) {
        return fail(ERROR_CODES.QUARANTINE_STAGE_INVALID, `stage \`${stage}\` is not one of 0–5`);
      }
      const moved = immune.setStage(agent, stage as 0 | 1 | 2 | 3 | 4 | 5, {
        by: decider.by,
        ...(decider.approved === undefined ? {} : { approved: decider.approved }),
      });
      if (!moved.ok) return moved;
      return pods.summary(agent);
    },
  };
}

/** The workspace directory of `agent` under a runtime's data directory (tests, the demo). */
export function workspaceOf(rt: PodRuntime, agent: string): string {
  return join(resolve(rt.dataDir, rt.config.config.pods.workspaces), agent);
}

async function runPipe(
  stages: readonly (string | PipeStage)[],
  input: JsonValue,
  pods: PodManager,
  bus: PodBus,
): Promise<PipelineRun> {
  const built = Pipeline.of(stages);
  if (!built.ok)
    return { ok: false, error: { code: built.error.code, message: built.error.message }, steps: [] };
  return built.value.run(input, {
    task: (agent, value) => pods.task(agent, value),
    handoff: (from, to, payload, check) => bus.handoff(from, to, payload, check),
  });
}
