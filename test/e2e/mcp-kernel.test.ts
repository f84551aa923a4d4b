// End-to-end test of `maos mcp`: the real CLI as a child process, driven by the SDK's client over
// stdio. A token minted beforehand by `maos token mint` commits an intent that read_journal shows;
// closing the client's side of stdin stops the server cleanly with exit code 0.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { systemClock, systemRandom, uuidv7 } from '../../src/shared/index.ts';
import { MAIN, maos, ROOT } from './harness.ts';

const CONFIG = `version: 1
dataDir: data
agents:
  app: { ring: 2, capabilities: [{ action: "kv.*", resource: "kv:/**" }] }
actions:
  kv.put: { sideEffect: write }
`;

/**
 * Runs the command given after `--` and reports its exit on stderr as `exit <code|signal>`.
 * WHY: the SDK's stdio transport spawns the server itself and does not expose its exit code.
 */
const EXIT_REPORTER = `const { spawn } = require('node:child_process');
const child = spawn(process.execPath, process.argv.slice(1), { stdio: 'inherit' });
child.on('exit', (code, signal) => {
  process.stderr.write('exit ' + (signal ?? code) + '\\n');
  process.exitCode = code ?? 1;
});`;

const dir = mkdtempSync(join(tmpdir(), 'maos-mcp-e2e-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function text(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

test('maos mcp serves the kernel over stdio and exits 0 when the client closes', async () => {
  const config = join(dir, 'maos.yaml');
  writeFileSync(config, CONFIG);
  const minted = await maos(['token', 'mint', '--agent', 'app', '--config', config]);
  assert.equal(minted.status, 0, minted.stderr);
  const token = minted.stdout.trim();

  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [
      '-e',
      EXIT_REPORTER,
      '--',
      '--disable-warning=ExperimentalWarning',
      MAIN,
      'mcp',
      '--config',
      config,
    ],
    cwd: ROOT,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client({ name: 'mcp-kernel-e2e', version: '1.0.0' });
  await client.connect(transport);
  try {
    const { tools } = await client.listTools();
    assert.ok(
      tools.some((tool) => tool.name === 'submit_intent'),
      stderr,
    );

    const id = uuidv7(systemClock, systemRandom);
    const intent = { id, agent: 'app', action: 'kv.put', resource: 'kv:/e2e', args: { value: 1 }, token };
    const submitted = (await client.callTool({
      name: 'submit_intent',
      arguments: { intent },
    })) as CallToolResult;
    assert.notEqual(submitted.isError, true, text(submitted));
    assert.equal((submitted.structuredContent as { state: string }).state, 'committed', text(submitted));

    const read = (await client.callTool({
      name: 'read_journal',
      arguments: { intentId: id },
    })) as CallToolResult;
    const { entries } = read.structuredContent as { entries: Array<{ type: string }> };
    assert.ok(
      entries.some((entry) => entry.type === 'intent.committed'),
      text(read),
    );
  } finally {
    await client.close();
  }
  // The transport waited for the exit; the reporter's last line may still be in the pipe.
  const stream = transport.stderr as Readable;
  if (!stream.readableEnded) await once(stream, 'end');
  assert.match(stderr, /maos mcp: stopping \(standard input closed\)/);
  assert.match(stderr, /^exit 0$/m, stderr);
});
