// `maos mcp`: the kernel's own MCP server over stdio. Opens the commit runtime (taking the data
// directory's lock), speaks MCP on stdin/stdout until the client closes stdin or a signal arrives.
// WHY: stdout carries only MCP messages; anything for people goes to stderr.

import { parseArgs } from 'node:util';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createKernelMcpServer, ToolCalls } from '../../mcp/kernel-server.ts';
import { openCommitRuntime } from '../../runtime/commit-runtime.ts';
import { MCP_HELP } from '../help.ts';
import { EXIT, reportError } from '../io.ts';
import { waitForStop } from '../stop-signal.ts';
import { RUNTIME_OPTIONS, runtimeLocation } from './options.ts';

export async function mcpCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: RUNTIME_OPTIONS });
  if (values.help) {
    process.stdout.write(MCP_HELP);
    return EXIT.ok;
  }
  // WHY: listen before anything else, so a stop during start-up still shuts down cleanly.
  const stop = waitForStop({ stdin: true });
  const opened = await openCommitRuntime({ ...runtimeLocation(values), exclusive: true });
  if (!opened.ok) {
    stop.cancel();
    return reportError(opened.error);
  }
  const rt = opened.value;
  const calls = new ToolCalls();
  const server = createKernelMcpServer(rt, calls);
  try {
    server.server.onerror = (error) => log(`mcp error: ${error.message}`);
    server.server.onclose = () => stop.stop('connection closed');
    await server.connect(new StdioServerTransport());
    log(`serving the kernel over stdio (data directory ${rt.dataDir})`);
    const reason = await stop.reason;
    log(`stopping (${reason})`);
    // WHY: a request read just before the end of input starts its call a few microtasks later.
    await new Promise((resolve) => setImmediate(resolve));
    // INVARIANT: calls in progress finish (and answer) before the runtime under them closes.
    await calls.settled();
    return EXIT.ok;
  } finally {
    await server.close();
    await rt.close();
    stop.cancel();
  }
}

function log(line: string): void {
  process.stderr.write(`maos mcp: ${line}\n`);
}
