// Harness for the CLI end-to-end tests: runs `maos` as a real child process (a bounded number at
// once) inside a sandbox, a temporary copy of examples/maos.yaml with its own data directory.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const MAIN = join(ROOT, 'src/cli/main.ts');

export type Run = { readonly status: number | null; readonly stdout: string; readonly stderr: string };

/** Child processes running at once: more only makes each one slower to start. */
const CHILDREN_MAX = Math.max(2, availableParallelism() * 2);
let running = 0;
const waiting: Array<() => void> = [];

/** Runs the CLI as a child process. WHY: asynchronous, so independent cases overlap their start-up. */
export async function maos(args: readonly string[], input?: string | Uint8Array): Promise<Run> {
  // INVARIANT: a finishing child hands its slot straight to a waiter, so `running` never exceeds the cap.
  if (running >= CHILDREN_MAX) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await spawnProcess(process.execPath, [MAIN, ...args], input);
  } finally {
    const next = waiting.shift();
    if (next === undefined) running--;
    else next();
  }
}

export function spawnProcess(
  file: string,
  args: readonly string[],
  input?: string | Uint8Array,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: ROOT, timeout: 30_000 });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (status) =>
      resolve({ status, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }),
    );
    child.stdin.end(input);
  });
}

/** A temporary directory with a copy of examples/maos.yaml whose dataDir points inside it. */
export class Sandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'maos-e2e-'));
  readonly config = join(this.dir, 'maos.yaml');
  readonly dataDir = join(this.dir, 'data');
  #files = 0;

  constructor() {
    const example = readFileSync(join(ROOT, 'examples/maos.yaml'), 'utf8');
    // WHY: the config names a different directory than --data-dir, so a test notices if the flag is ignored.
    const text = example.replace(
      /^dataDir: .*$/m,
      `dataDir: ${JSON.stringify(join(this.dir, 'config-data'))}`,
    );
    assert.notEqual(text, example, 'examples/maos.yaml has no dataDir line to rewrite');
    writeFileSync(this.config, text);
  }

  /** Runs `maos <args> --config … --data-dir …`. */
  run(args: readonly string[], input?: string | Uint8Array): Promise<Run> {
    return maos([...args, '--config', this.config, '--data-dir', this.dataDir], input);
  }

  /** Writes a new file in the sandbox and returns its path. */
  file(content: string | Uint8Array, name = `input-${++this.#files}.json`): string {
    const path = join(this.dir, name);
    writeFileSync(path, content);
    return path;
  }

  read(name: string): string {
    return readFileSync(join(this.dataDir, name), 'utf8');
  }

  events(): Array<Record<string, unknown>> {
    return this.read('events.jsonl')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  async mint(agent: string, ...extra: string[]): Promise<string> {
    const run = await this.run(['token', 'mint', '--agent', agent, ...extra]);
    assert.equal(run.status, 0, run.stderr);
    return run.stdout.trim();
  }

  /** Decides `intent` with `token` (given on standard input) and returns the exit code and decision. */
  async check(intent: Record<string, unknown>, token: string) {
    const run = await this.run(
      ['check', '--intent', this.file(JSON.stringify(intent)), '--token', '-'],
      token,
    );
    assert.ok(run.status === 0 || run.status === 1 || run.status === 3, `exit ${run.status}: ${run.stderr}`);
    const decision = JSON.parse(run.stdout) as {
      verdict: string;
      reasons: Array<{ code: string }>;
      checks: unknown[];
    };
    return { status: run.status, decision, codes: decision.reasons.map((r) => r.code) };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A sandbox removed after the enclosing suite. */
export function sandbox(): Sandbox {
  const box = new Sandbox();
  after(() => box.remove());
  return box;
}

/** The `maos: CODE: message` line a failing command prints, as its code. */
export function errorCode(run: Run): string | undefined {
  return /^maos: ([A-Z_0-9]+): /m.exec(run.stderr)?.[1];
}

/** The claims of a serialized token, decoded here without verifying (see the inspect test for the CLI's view). */
export function claimsOf(token: string): Record<string, unknown> {
  const { payload } = JSON.parse(token) as { payload: string };
  return JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
}

/** An intent in which the researcher reads `resource`. */
export const read = (resource: string) => ({
  agent: 'researcher',
  action: 'fs.read',
  resource,
  sideEffect: 'read',
});
