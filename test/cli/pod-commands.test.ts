// The pod commands (`maos agent`, `ps`, `stop`, `cont`, `kill`, `quarantine`) run as real child
// processes against the real HTTP API, found through daemon.json and api-token in a data
// directory as `maos start` writes them; the pods behind the API are a small in-test fake.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startHttpServer } from '../../src/http/index.ts';
import { writeApiToken, writeDaemonInfo } from '../../src/runtime/api-token.ts';
import type { Decider, PodControl, PodSignal, PodView } from '../../src/runtime/service.ts';
import { ERROR_CODES, fail, type JsonValue, ok, unwrap } from '../../src/shared/index.ts';
import { serviceWithPods } from '../../src/testing/service-with-pods.ts';
import { errorCode, maos, type Run } from '../e2e/harness.ts';

const STAGES = ['normal', 'observation', 'soft-isolation', 'hard-isolation', 'elimination', 'healing'];
const STATE_AFTER: Readonly<Record<PodSignal, string>> = {
  SIGSTOP: 'paused',
  SIGCONT: 'running',
  SIGINT: 'stopping',
  SIGTERM: 'stopping',
  SIGKILL: 'terminated',
};

type Call = { readonly method: string; readonly args: readonly unknown[] };

/** Pods kept as views: start adds one, signals and quarantine change it, tasks echo. */
class FakePods implements PodControl {
  readonly calls: Call[] = [];
  readonly pods = new Map<string, PodView>();
  /** What a newly started pod looks like: the helper as it was first. */
  readonly #worker: PodView;

  constructor(startedMs: number) {
    this.pods.set('researcher', {
      agent: 'researcher',
      state: 'running',
      sandbox: 'process',
      level: 2,
      pid: 4242,
      networkNamespace: true,
      notes: [],
      stage: 1,
      stageName: 'observation',
      score: 2.25,
      startedMs: startedMs - 3 * 86_400_000 - 125_000,
      tasksRun: 7,
      tasksInFlight: 1,
      osPaused: false,
    });
    this.#worker = {
      agent: 'helper',
      state: 'running',
      sandbox: 'worker',
      level: 1,
      notes: ['memory is not limited: worker resource limits are advisory'],
      stage: 0,
      stageName: 'normal',
      score: 0,
      startedMs: startedMs - 2 * 3_600_000 - 5_000,
      tasksRun: 0,
      tasksInFlight: 0,
      osPaused: false,
    };
    this.pods.set('helper', this.#worker);
  }
  async list() {
    return [...this.pods.values()];
  }
  async start(dir: string) {
    this.calls.push({ method: 'start', args: [dir] });
    const pod: PodView = { ...this.#worker, agent: basename(dir), notes: [] };
    this.pods.set(pod.agent, pod);
    return ok(pod);
  }
  async task(agent: string, task: JsonValue) {
    this.calls.push({ method: 'task', args: [agent, task] });
    return this.pods.has(agent) ? ok<JsonValue>({ agent, echo: task }) : this.#unknown(agent);
  }
  async signal(agent: string, signal: PodSignal) {
    this.calls.push({ method: 'signal', args: [agent, signal] });
    return this.#change(agent, (pod) => ({
      ...pod,
      state: STATE_AFTER[signal],
      osPaused: signal === 'SIGSTOP' && pod.sandbox === 'process',
    }));
  }
  async quarantine(agent: string, stage: number, decider: Decider & { readonly approved?: boolean }) {
    this.calls.push({ method: 'quarantine', args: [agent, stage, decider] });
    return this.#change(agent, (pod) => ({ ...pod, stage, stageName: STAGES[stage] ?? '?' }));
  }
  last(method: string): Call | undefined {
    return this.calls.findLast((call) => call.method === method);
  }
  #change(agent: string, change: (pod: PodView) => PodView) {
    const pod = this.pods.get(agent);
    if (pod === undefined) return this.#unknown(agent);
    const changed = change(pod);
    this.pods.set(agent, changed);
    return ok(changed);
  }
  #unknown(agent: string) {
    return fail(ERROR_CODES.AGENT_UNKNOWN, `no agent \`${agent}\` on this daemon`);
  }
}

describe('maos pod commands against the HTTP API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'maos-pods-'));
  const dataDir = join(dir, 'data');
  const pods = new FakePods(Date.now());
  let close: () => Promise<void> = async () => {};
  const run = (...args: string[]): Promise<Run> => maos([...args, '--data-dir', dataDir]);

  before(async () => {
    mkdirSync(dataDir);
    const token = unwrap(await writeApiToken(dataDir));
    const server = await startHttpServer(serviceWithPods(pods), { token, version: '1.0.0' });
    close = server.close;
    // WHY: the CLI checks that daemon.json's pid is alive; this test process serves the API.
    unwrap(await writeDaemonInfo(dataDir, { url: server.url, pid: process.pid }));
  });
  after(async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('maos ps prints the table with sandbox, stage and notes; --json the pod views', async () => {
    const [text, json] = await Promise.all([run('ps'), run('ps', '--json')]);
    assert.equal(text.status, 0, text.stderr);
    const lines = text.stdout.split('\n');
    assert.match(lines[0] ?? '', /^AGENT\s+STATE\s+SANDBOX\s+PID\s+STAGE\s+SCORE\s+TASKS\s+UPTIME$/);
    assert.match(
      text.stdout,
      /^researcher\s+running\s+process\/L2 netns\s+4242\s+observation\s+2\.3\s+7\+1\s+3d 0h$/m,
    );
    assert.match(text.stdout, /^helper\s+running\s+worker\/L1\s+-\s+normal\s+0\.0\s+0\s+2h 0m$/m);
    assert.match(
      text.stdout,
      /\n\nnote: helper: memory is not limited: worker resource limits are advisory\n$/,
    );
    assert.equal(json.status, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), [...pods.pods.values()]);
  });

  test('maos stop, cont and kill send SIGSTOP, SIGCONT and SIGKILL; --signal TERM', async () => {
    const sent = (agent: string) =>
      pods.calls
        .filter((call) => call.method === 'signal' && call.args[0] === agent)
        .map((call) => call.args[1]);
    const [stop, term] = await Promise.all([
      run('stop', 'researcher'),
      run('kill', 'helper', '--signal', 'term'),
    ]);
    assert.equal(stop.status, 0, stop.stderr);
    assert.equal(stop.stdout, 'researcher: SIGSTOP sent; paused (stopped at the os level)\n');
    assert.equal(term.stdout, 'helper: SIGTERM sent; stopping\n');
    const [cont, kill] = await Promise.all([run('cont', 'researcher', '--json'), run('kill', 'helper')]);
    assert.equal(cont.status, 0, cont.stderr);
    assert.equal((JSON.parse(cont.stdout) as PodView).state, 'running');
    assert.equal(kill.stdout, 'helper: SIGKILL sent; terminated\n');
    assert.deepEqual(sent('researcher'), ['SIGSTOP', 'SIGCONT']);
    assert.deepEqual(sent('helper'), ['SIGTERM', 'SIGKILL']);
  });

  test('DR-M1: maos quarantine --stage 2 moves the agent; without --stage it shows the stage', async () => {
    const decided = (agent: string) =>
      pods.calls.findLast((call) => call.method === 'quarantine' && call.args[0] === agent)?.args;
    const [moved, approved] = await Promise.all([
      run('quarantine', 'researcher', '--stage', '2', '--by', 'alice', '--note', 'odd calls'),
      run('quarantine', 'helper', '--stage', '4', '--approve', '--json'),
    ]);
    assert.equal(moved.status, 0, moved.stderr);
    assert.equal(
      moved.stdout,
      'researcher: now in quarantine stage 2 (soft-isolation); score 2.3, running\n',
    );
    assert.deepEqual(decided('researcher'), ['researcher', 2, { by: 'alice', note: 'odd calls' }]);
    assert.equal(approved.status, 0, approved.stderr);
    assert.equal((JSON.parse(approved.stdout) as PodView).stageName, 'elimination');
    const decider = decided('helper')?.[2] as { approved?: boolean; by?: string };
    assert.equal(decider.approved, true);
    assert.equal(typeof decider.by, 'string');
    const shown = await run('quarantine', 'researcher');
    assert.equal(shown.status, 0, shown.stderr);
    assert.equal(shown.stdout, 'researcher: in quarantine stage 2 (soft-isolation); score 2.3, running\n');
  });

  test('maos agent run starts the directory resolved here, then runs --task or --task-file', async () => {
    const taskFile = join(dir, 'task.json');
    writeFileSync(taskFile, '{"topic":"otters"}');
    const [inline, fromFile, task] = await Promise.all([
      run('agent', 'run', 'examples/agents/scout', '--task', '{"q":1}'),
      run('agent', 'run', join(dir, 'filer'), '--task-file', taskFile, '--json'),
      run('agent', 'task', 'researcher', '[1,2]'),
    ]);
    assert.equal(inline.status, 0, inline.stderr);
    assert.equal(
      inline.stdout,
      `started scout: running, worker/L1\n${JSON.stringify({ agent: 'scout', echo: { q: 1 } }, null, 2)}\n`,
    );
    const started = pods.calls.filter((call) => call.method === 'start').map((call) => call.args[0]);
    assert.ok(started.some((path) => typeof path === 'string' && path.endsWith('/examples/agents/scout')));
    assert.ok(
      started.every((path) => typeof path === 'string' && path.startsWith('/')),
      'absolute paths',
    );
    assert.equal(fromFile.status, 0, fromFile.stderr);
    const answer = JSON.parse(fromFile.stdout) as { agent: PodView; result: unknown };
    assert.equal(answer.agent.agent, 'filer');
    assert.deepEqual(answer.result, { agent: 'filer', echo: { topic: 'otters' } });
    assert.equal(task.status, 0, task.stderr);
    assert.deepEqual(JSON.parse(task.stdout), { agent: 'researcher', echo: [1, 2] });
  });

  test('usage errors exit 2 and reach no pod; API failures print their code and exit 2', async () => {
    const reaching = () => pods.calls.filter((call) => call.method !== 'signal' || call.args[0] !== 'ghost');
    const before = reaching().length;
    const usage = await Promise.all([
      run('stop'),
      run('kill', 'researcher', '--signal', 'HUP'),
      run('quarantine', 'helper', '--stage', '9'),
      run('agent'),
      run('agent', 'run', 'd', '--task', '1', '--task-file', 'f'),
    ]);
    for (const result of usage) {
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, /^maos: /);
      assert.equal(result.stdout, '');
    }
    const [badJson, ghost, offline] = await Promise.all([
      run('agent', 'run', 'examples/agents/scout', '--task', '{"q":'),
      run('stop', 'ghost'),
      maos(['ps', '--data-dir', join(dir, 'no-daemon')]),
    ]);
    assert.equal(reaching().length, before, 'only the call to the unknown agent reached the pods');
    assert.equal(badJson.status, 2);
    assert.equal(errorCode(badJson), 'INVALID_JSON');
    assert.equal(ghost.status, 2);
    assert.equal(errorCode(ghost), 'AGENT_UNKNOWN');
    assert.equal(offline.status, 2);
    assert.equal(errorCode(offline), 'DAEMON_UNREACHABLE');
  });
});
