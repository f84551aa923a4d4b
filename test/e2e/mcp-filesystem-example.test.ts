// End-to-end test of examples/mcp-filesystem: the real `maos gateway` as a child process in front of
// the real @modelcontextprotocol/server-filesystem, driven by the SDK's client over stdio, on a
// temporary copy of the example (so its data directory and written files never touch the repo).
// Proves the example's policy as shipped: reads pass, writes land only under drafts/, a `..` path
// never reaches the server, and move_file waits for `maos approve` before the file moves.

import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, sep } from 'node:path';
import { after, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { MAIN, maos, ROOT } from './harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'maos-mcp-fs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// WHY: the example names its server as `../../node_modules/...`; the copy keeps that layout, with
// node_modules a link to the repository's, so the yaml runs unchanged.
const example = join(dir, 'examples/mcp-filesystem');
mkdirSync(dirname(example), { recursive: true });
cpSync(join(ROOT, 'examples/mcp-filesystem'), example, {
  recursive: true,
  filter: (source) => !source.split(sep).includes('.maos'),
});
symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
const config = join(example, 'maos.yaml');
const workspace = join(example, 'workspace');

const HELD_POLLS_MAX = 100;
const HELD_POLL_MS = 50;

function text(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

function meta(result: CallToolResult, key: string): unknown {
  return result._meta?.[key];
}

/** The intent ids `maos held` lists, polled until one appears. */
async function heldIntent(): Promise<string> {
  for (let polls = 0; polls < HELD_POLLS_MAX; polls++) {
    const run = await maos(['held', '--json', '--config', config]);
    assert.equal(run.status, 0, run.stderr);
    const held = JSON.parse(run.stdout) as { intentId: string; action: string }[];
    const first = held[0];
    if (first !== undefined) {
      assert.equal(first.action, 'mcp.files.move_file');
      return first.intentId;
    }
    await new Promise((resolve) => setTimeout(resolve, HELD_POLL_MS));
  }
  throw new Error('no intent was held');
}

/** The journal record types about one intent, in order. */
async function journaled(intentId: string): Promise<string[]> {
  const run = await maos(['log', '--json', '--intent', intentId, '--config', config]);
  assert.equal(run.status, 0, run.stderr);
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { type: string }).type);
}

test('the filesystem example: reads pass, writes only in drafts, moves wait for approval', async () => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--disable-warning=ExperimentalWarning', MAIN, 'gateway', '--config', config],
    cwd: ROOT,
    // WHY: the example starts its server with `node` from PATH; make that the node running the tests.
    env: { PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client({ name: 'mcp-fs-example-e2e', version: '1.0.0' });
  await client.connect(transport);
  try {
    const call = async (tool: string, args: Record<string, unknown>): Promise<CallToolResult> =>
      (await client.callTool({ name: `files__${tool}`, arguments: args })) as CallToolResult;

    // Only granted tools are listed: read_media_file and the deprecated read_file are not.
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    for (const name of ['files__read_text_file', 'files__write_file', 'files__move_file'])
      assert.ok(names.includes(name), `${name} is listed; stderr:\n${stderr}`);
    assert.ok(!names.includes('files__read_media_file'), 'an ungranted tool is not listed');

    // A read: allowed, the file's text, labelled by the gateway.
    const read = await call('read_text_file', { path: 'notes/hello.md' });
    assert.ok(read.isError !== true, text(read));
    assert.match(text(read), /Hello from the workspace/);
    assert.deepEqual(meta(read, 'maos/label'), { confidentiality: 'INTERNAL', integrity: 'UNTRUSTED' });
    const readId = meta(read, 'maos/intentId');
    assert.equal(typeof readId, 'string');

    // A write inside drafts/: allowed, and the file is on disk.
    const write = await call('write_file', { path: 'drafts/plan.md', content: 'step 1\n' });
    assert.ok(write.isError !== true, text(write));
    assert.equal(readFileSync(join(workspace, 'drafts/plan.md'), 'utf8'), 'step 1\n');

    // A write outside drafts/ (relative or absolute): denied by the capability check, nothing written.
    for (const path of ['notes/evil.md', join(workspace, 'drafts/absolute.md')]) {
      const denied = await call('write_file', { path, content: 'x' });
      assert.equal(denied.isError, true, text(denied));
      assert.equal(meta(denied, 'maos/code'), 'SCOPE_NOT_COVERED', text(denied));
      assert.deepEqual(meta(denied, 'maos/checks'), [
        { check: 'capability', verdict: 'deny', code: 'SCOPE_NOT_COVERED' },
      ]);
    }
    assert.ok(!existsSync(join(workspace, 'notes/evil.md')));
    assert.ok(!existsSync(join(workspace, 'drafts/absolute.md')));
    const outsideId = String(
      meta(await call('write_file', { path: 'plan.md', content: 'x' }), 'maos/intentId'),
    );

    // A `..` path is refused at the intent boundary: no decision, the server never sees it.
    const climb = await call('write_file', { path: 'drafts/../notes/evil.md', content: 'x' });
    assert.equal(climb.isError, true);
    assert.equal(meta(climb, 'maos/code'), 'INVALID_INPUT', text(climb));
    assert.match(text(climb), /`\.\.` segment/);
    assert.ok(!existsSync(join(workspace, 'notes/evil.md')));
    assert.ok(!existsSync(join(workspace, 'plan.md')));

    // A move out of drafts/ fails the capability's constraint: denied outright, never held.
    const moveOut = await call('move_file', { source: 'drafts/plan.md', destination: 'notes/plan.md' });
    assert.equal(meta(moveOut, 'maos/code'), 'CONSTRAINT_FAILED', text(moveOut));
    assert.ok(existsSync(join(workspace, 'drafts/plan.md')));

    // A move inside drafts/ is held; the call waits until `maos approve`, then the file moves.
    const moving = call('move_file', { source: 'drafts/plan.md', destination: 'drafts/final.md' });
    const heldId = await heldIntent();
    assert.ok(existsSync(join(workspace, 'drafts/plan.md')), 'nothing moves before the approval');
    const approved = await maos(['approve', heldId, '--by', 'e2e', '--config', config]);
    assert.equal(approved.status, 0, approved.stderr);
    const moved = await moving;
    assert.ok(moved.isError !== true, text(moved));
    assert.equal(meta(moved, 'maos/intentId'), heldId);
    assert.ok(!existsSync(join(workspace, 'drafts/plan.md')));
    assert.equal(readFileSync(join(workspace, 'drafts/final.md'), 'utf8'), 'step 1\n');

    // The journal has each decision.
    const [readRecords, outsideRecords, heldRecords, refused] = await Promise.all([
      journaled(String(readId)),
      journaled(outsideId),
      journaled(heldId),
      maos(['log', '--json', '--type', 'mcp.call.refused', '--config', config]),
    ]);
    assert.deepEqual([readRecords[0], readRecords.at(-1)], ['intent.written', 'intent.committed']);
    assert.deepEqual(outsideRecords, ['intent.denied']);
    assert.deepEqual(heldRecords.slice(0, 3), ['intent.held', 'intent.approved', 'intent.written']);
    assert.equal(heldRecords.at(-1), 'intent.committed');
    const refusals = refused.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { data: { code: string; tool: string } }).data);
    assert.deepEqual(refusals, [{ ...refusals[0], code: 'INVALID_INPUT', tool: 'mcp.files.write_file' }]);
  } finally {
    await client.close();
  }
});
