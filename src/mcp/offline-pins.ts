// `maos gateway tools list|approve` while no gateway runs: the pins and waiting views are in the
// data directory's storage, so a human can approve a changed tool before the gateway starts again.
// Takes the daemon lock like any writer, and journals each approval.

import { type CommitRuntime, openCommitRuntime } from '../runtime/commit-runtime.ts';
import type { GatewayToolView } from '../runtime/service.ts';
import { ERROR_CODES, fail, type KernelError, ok, type Result } from '../shared/index.ts';
import { exposedToolName, splitToolName } from './tool-names.ts';
import { type PinRecord, PinStore } from './tool-pins.ts';

export type OfflineOptions = { readonly configPath: string; readonly dataDir?: string };

export async function listPinsOffline(
  options: OfflineOptions,
): Promise<Result<GatewayToolView[], KernelError>> {
  return withRuntime(options, async (rt) => ok((await new PinStore(rt.storage).list()).map(viewOf)));
}

export async function approvePinsOffline(
  options: OfflineOptions,
  names: readonly string[] | 'all',
  by: string,
): Promise<Result<GatewayToolView[], KernelError>> {
  return withRuntime(options, async (rt) => {
    const pins = new PinStore(rt.storage);
    const records = await pins.list();
    const targets = names === 'all' ? records.filter((record) => record.pending !== undefined) : [];
    if (names !== 'all') {
      for (const name of names) {
        const split = splitToolName(name) ?? splitToolName(name.replace('.', '__'));
        const record = records.find((r) => r.server === split?.server && r.tool === split?.tool);
        if (record?.pending === undefined)
          return fail(ERROR_CODES.APPROVAL_NOT_FOUND, `no view of \`${name}\` waits for approval`);
        targets.push(record);
      }
    }
    const out: GatewayToolView[] = [];
    for (const record of targets) {
      const pending = record.pending;
      if (pending === undefined) continue;
      const approved = await pins.approvePending(record, pending, by, rt.clock.wallMs());
      await rt.journal.append('mcp.tool.approved', {
        server: record.server,
        tool: record.tool,
        hash: pending.hash,
        by,
      });
      out.push(viewOf(approved));
    }
    return ok(out);
  });
}

async function withRuntime<T>(
  options: OfflineOptions,
  run: (rt: CommitRuntime) => Promise<Result<T, KernelError>>,
): Promise<Result<T, KernelError>> {
  const opened = await openCommitRuntime({ ...options, exclusive: true });
  if (!opened.ok) return opened;
  try {
    return await run(opened.value);
  } finally {
    await opened.value.close();
  }
}

function viewOf(record: PinRecord): GatewayToolView {
  const waiting = record.pending;
  const status = waiting === undefined ? 'active' : record.pinned === undefined ? 'new' : 'changed';
  return {
    name: exposedToolName(record.server, record.tool),
    server: record.server,
    tool: record.tool,
    status,
    granted: false,
    hash: waiting?.hash ?? record.pinned?.hash ?? '',
    pinnedHash: record.pinned?.hash ?? null,
    reason: waiting?.reason ?? null,
    description: (waiting?.view ?? record.pinned?.view)?.description ?? null,
  };
}
