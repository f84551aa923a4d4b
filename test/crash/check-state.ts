// Crash-test checker: after recovery, compares the journal with every acknowledged commit and with
// the world (fs workspace, kv store, effect log): nothing lost, nothing run twice, nothing torn,
// nothing left half-done, and the hash chain verifies.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { TEMP_PREFIX } from '../../src/connectors/fs-file.ts';
import { KV_NAMESPACE } from '../../src/connectors/kv.ts';
import { verifyJournal } from '../../src/kernel/index.ts';
import type { CommitRuntime } from '../../src/runtime/commit-runtime.ts';
import { canonicalJson, type JsonValue } from '../../src/shared/index.ts';
import { contentFor, kvValueFor } from './committer.ts';

/** One acknowledged commit, as the child printed it. */
export type Ack = { readonly ack: string; readonly action: string; readonly resource: string };
export type World = { readonly workspaceDir: string; readonly logPath: string };

export type CheckReport = {
  readonly ok: boolean;
  readonly chainOk: boolean;
  readonly records: number;
  readonly acked: number;
  readonly committed: number;
  readonly failed: number;
  /** Acked intents not committed in the journal. */
  readonly lost: number;
  /** Effects found twice (log lines). */
  readonly duplicates: number;
  /** Files, values or lines that are not what the last commit left. */
  readonly corrupt: number;
  /** Intents still `written` or `executing` after recovery. */
  readonly unfinished: number;
  /** `.maos-tmp-*` files the fs connector left in the workspace: counted, not part of `ok` (known gap). */
  readonly strayTemps: number;
  /** The first problems found, one line each. */
  readonly problems: readonly string[];
};

type Seen = { action: string; resource: string; args: Record<string, JsonValue>; state: string };
type Counts = { lost: number; duplicates: number; corrupt: number; unfinished: number; strayTemps: number };
type Ctx = { readonly seen: Map<string, Seen>; readonly problems: string[]; readonly counts: Counts };

const READ_BATCH = 4096;
const PROBLEMS_MAX = 20;

/** Reads the acks file the campaign appends to (one JSON ack per line); a missing file is no acks. */
export function readAcks(path: string): Ack[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((text) => text !== '')
    .map((text) => JSON.parse(text) as Ack);
}

/** Checks the state a recovered runtime holds against the acks and the world. */
export async function checkState(
  runtime: CommitRuntime,
  world: World,
  acks: Iterable<Ack>,
): Promise<CheckReport> {
  const verified = await verifyJournal(runtime.storage, { publicKeys: runtime.keys.publicKeys });
  const ctx: Ctx = {
    seen: new Map(),
    problems: [],
    counts: { lost: 0, duplicates: 0, corrupt: 0, unfinished: 0, strayTemps: 0 },
  };
  if (!verified.ok) problem(ctx, 'corrupt', `chain breaks at \`${verified.brokenSeq}\`: ${verified.message}`);
  const last = await scanJournal(runtime, ctx);
  let acked = 0;
  for (const ack of acks) {
    acked++;
    checkAck(ctx, ack);
  }
  let committed = 0;
  let failed = 0;
  for (const [id, seen] of ctx.seen) {
    if (seen.state === 'committed') committed++;
    if (seen.state === 'failed') failed++;
    if (seen.state === 'written' || seen.state === 'executing') {
      problem(ctx, 'unfinished', `intent \`${id}\` is still ${seen.state} after recovery`);
    }
  }
  checkLog(ctx, world.logPath);
  checkFiles(ctx, world.workspaceDir, last);
  await checkKv(ctx, runtime, last);
  const { lost, duplicates, corrupt, unfinished, strayTemps } = ctx.counts;
  return {
    ok: verified.ok && lost + duplicates + corrupt + unfinished + strayTemps === 0,
    chainOk: verified.ok,
    records: verified.records,
    acked,
    committed,
    failed,
    ...ctx.counts,
    problems: ctx.problems,
  };
}

function problem(ctx: Ctx, kind: keyof Counts, message: string): void {
  ctx.counts[kind]++;
  if (ctx.problems.length < PROBLEMS_MAX) ctx.problems.push(`${kind}: ${message}`);
}

/**
 * Walks the journal in order, tracking each intent's state and, per fs path or kv key, the last
 * committed effect (committed records are appended under the resource lock, so their order is the
 * order of the effects). Returns resource → intent id of that last effect.
 */
async function scanJournal(runtime: CommitRuntime, ctx: Ctx): Promise<Map<string, string>> {
  const last = new Map<string, string>();
  for (let from = 0; ; ) {
    // WHY: raw rows and JSON.parse, not the journal's own reader: the checker shares no code with
    // recovery's reading of the journal, and verifyJournal has already checked every hash.
    const rows = await runtime.storage.readJournal(from, READ_BATCH);
    for (const row of rows) track(ctx, last, JSON.parse(row.body) as Record<string, JsonValue>);
    const end = rows.at(-1);
    if (end === undefined || rows.length < READ_BATCH) return last;
    from = end.seq + 1;
  }
}

function track(ctx: Ctx, last: Map<string, string>, record: Record<string, JsonValue>): void {
  const type = String(record.type);
  const data = (record.data ?? {}) as Record<string, JsonValue>;
  const id = data.intentId;
  if (typeof id !== 'string' || !type.startsWith('intent.')) return;
  const state = type.slice('intent.'.length);
  const seen = ctx.seen.get(id);
  if (seen === undefined) {
    const args = (data.args ?? {}) as Record<string, JsonValue>;
    ctx.seen.set(id, { action: String(data.action), resource: String(data.resource), args, state });
    return;
  }
  if (state === 'released' || state === 'approved') return;
  seen.state = state;
  if (state === 'committed' && seen.action !== 'log.append') last.set(seen.resource, id);
  if (state === 'undone') problem(ctx, 'corrupt', `intent \`${id}\` was undone; the campaign never undoes`);
}

function checkAck(ctx: Ctx, ack: Ack): void {
  const seen = ctx.seen.get(ack.ack);
  if (seen === undefined) {
    problem(ctx, 'lost', `acked intent \`${ack.ack}\` (${ack.action}) is not in the journal`);
    return;
  }
  if (seen.state !== 'committed' && seen.state !== 'undone') {
    problem(ctx, 'lost', `acked intent \`${ack.ack}\` (${ack.action}) is ${seen.state} in the journal`);
  }
  if (seen.action !== ack.action || seen.resource !== ack.resource) {
    problem(ctx, 'corrupt', `acked intent \`${ack.ack}\` is journaled as ${seen.action} on ${seen.resource}`);
  }
}

/**
 * The effect log: one `<intentId>\n` per executed `log.append`. Every line must be a committed
 * log.append and appear once, and every committed log.append must have its line.
 * WHY strict about a trailing partial line: the connector appends a 37-byte line with one write(2);
 * a SIGKILL cannot split a write to a regular file, so a partial line would be a real defect.
 */
function checkLog(ctx: Ctx, logPath: string): void {
  const text = existsSync(logPath) ? readFileSync(logPath, 'utf8') : '';
  const lines = text.split('\n');
  const tail = lines.pop();
  if (tail !== undefined && tail !== '')
    problem(ctx, 'corrupt', `effect log ends in a partial line \`${tail}\``);
  const counted = new Set<string>();
  for (const id of lines) {
    const seen = ctx.seen.get(id);
    if (counted.has(id)) problem(ctx, 'duplicates', `log.append \`${id}\` ran twice`);
    counted.add(id);
    if (seen?.action !== 'log.append' || seen.state !== 'committed') {
      problem(ctx, 'corrupt', `log line \`${id}\` belongs to no committed log.append (${seen?.state})`);
    }
  }
  for (const [id, seen] of ctx.seen) {
    if (seen.action === 'log.append' && seen.state === 'committed' && !counted.has(id)) {
      problem(ctx, 'lost', `committed log.append \`${id}\` has no line in the effect log`);
    }
  }
}

function walk(dir: string, out: string[]): string[] {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

/** Each path holds exactly what its last committed fs.write wrote, or nothing after an fs.delete. */
function checkFiles(ctx: Ctx, workspaceDir: string, last: ReadonlyMap<string, string>): void {
  const found = new Set<string>();
  for (const real of walk(workspaceDir, [])) {
    const virtual = `/${relative(workspaceDir, real).split(sep).join('/')}`;
    if (virtual.split('/').at(-1)?.startsWith(TEMP_PREFIX) === true) {
      problem(ctx, 'strayTemps', `temp file \`${virtual}\` left in the workspace`);
      continue;
    }
    found.add(virtual);
    const id = last.get(virtual);
    const seen = id === undefined ? undefined : ctx.seen.get(id);
    if (id === undefined || seen?.action !== 'fs.write') {
      problem(ctx, 'corrupt', `file \`${virtual}\` exists but no committed fs.write left it there`);
      continue;
    }
    const expected = seen.args.content;
    if (expected !== contentFor(id)) problem(ctx, 'corrupt', `journaled content of \`${id}\` is not its own`);
    if (readFileSync(real, 'utf8') !== expected) {
      problem(ctx, 'corrupt', `file \`${virtual}\` does not hold what \`${id}\` wrote`);
    }
  }
  for (const [resource, id] of last) {
    const seen = ctx.seen.get(id);
    if (seen?.action === 'fs.write' && !found.has(resource)) {
      problem(ctx, 'lost', `file \`${resource}\` written by \`${id}\` is missing`);
    }
  }
}

/** Each key holds what its last committed kv.put stored; no other key exists. */
async function checkKv(ctx: Ctx, runtime: CommitRuntime, last: ReadonlyMap<string, string>): Promise<void> {
  const stored = await runtime.storage.list(KV_NAMESPACE, '', 100_000);
  const keys = new Set(stored.map((entry) => entry.key));
  for (const entry of stored) {
    const id = last.get(entry.key);
    const seen = id === undefined ? undefined : ctx.seen.get(id);
    if (id === undefined || seen?.action !== 'kv.put') {
      problem(ctx, 'corrupt', `key \`${entry.key}\` exists but no committed kv.put stored it`);
      continue;
    }
    const expected = canonicalJson({ value: kvValueFor(id), intent: id });
    if (
      entry.value !== expected ||
      canonicalJson(seen.args.value ?? null) !== canonicalJson(kvValueFor(id))
    ) {
      problem(ctx, 'corrupt', `key \`${entry.key}\` does not hold what \`${id}\` stored`);
    }
  }
  for (const [resource, id] of last) {
    if (ctx.seen.get(id)?.action === 'kv.put' && !keys.has(resource)) {
      problem(ctx, 'lost', `key \`${resource}\` stored by \`${id}\` is missing`);
    }
  }
}
