#!/usr/bin/env node
// The `maos` command: dispatches to one module per command. Talks to the kernel only through
// src/runtime (ARCHITECTURE.md §3). Exit codes: 0 ok/allow, 1 deny, 2 usage or input error, 3 escalate.

import { packageVersion } from '../runtime/version.ts';
import { agentCommand } from './commands/agent.ts';
import { approveCommand } from './commands/approve.ts';
import { checkCommand } from './commands/check.ts';
import { demoCommand } from './commands/demo.ts';
import { heldCommand } from './commands/held.ts';
import { keysCommand } from './commands/keys.ts';
import { logCommand } from './commands/log.ts';
import { psCommand } from './commands/ps.ts';
import { quarantineCommand } from './commands/quarantine.ts';
import { rejectCommand } from './commands/reject.ts';
import { schemaCommand } from './commands/schema.ts';
import { sessionCommand } from './commands/session.ts';
import { signalCommand } from './commands/signal.ts';
import { statusCommand } from './commands/status.ts';
import { tokenCommand } from './commands/token.ts';
import { undoCommand } from './commands/undo.ts';
import { MAIN_HELP } from './help.ts';
import { EXIT, UsageError } from './io.ts';

quietExperimentalWarnings();
ignoreClosedStdout();

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'demo':
      return demoCommand(rest);
    case 'check':
      return checkCommand(rest);
    case 'token':
      return tokenCommand(rest);
    case 'keys':
      return keysCommand(rest);
    case 'schema':
      return schemaCommand(rest);
    // WHY: loaded on use; the daemon's modules (fastify, storage, commit layer) slow every other command's start.
    case 'start':
      return (await import('./commands/start.ts')).startCommand(rest, packageVersion());
    case 'status':
      return statusCommand(rest);
    case 'held':
      return heldCommand(rest);
    case 'approve':
      return approveCommand(rest);
    case 'reject':
      return rejectCommand(rest);
    case 'undo':
      return undoCommand(rest);
    case 'log':
      return logCommand(rest);
    case 'agent':
      return agentCommand(rest);
    case 'ps':
      return psCommand(rest);
    case 'stop':
    case 'cont':
    case 'kill':
      return signalCommand(command, rest);
    case 'quarantine':
      return quarantineCommand(rest);
    case 'session':
      return sessionCommand(rest);
    case 'gateway':
      return (await import('./commands/gateway.ts')).gatewayCommand(rest);
    case 'mcp':
      return (await import('./commands/mcp.ts')).mcpCommand(rest);
    case 'replay':
      return (await import('./commands/replay.ts')).replayCommand(rest);
    case 'audit':
      return (await import('./commands/audit.ts')).auditCommand(rest);
    case '-v':
    case '--version':
      process.stdout.write(`${packageVersion()}\n`);
      return EXIT.ok;
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(MAIN_HELP);
      return command === undefined ? EXIT.usage : EXIT.ok;
    default:
      throw new UsageError(`unknown command \`${command}\`; see \`maos --help\``);
  }
}

/**
 * WHY: Node marks ML-DSA in WebCrypto and node:sqlite experimental and prints a warning on first use;
 * it is noise for CLI users. Every other warning is still printed.
 */
function quietExperimentalWarnings(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'ExperimentalWarning') return;
    process.stderr.write(`${warning.name}: ${warning.message}\n`);
  });
}

/**
 * WHY: `maos demo | head` closes the pipe early. That is the reader's choice, not a crash: an
 * unhandled EPIPE would kill the process before cleanup (the demo's temporary key directory).
 */
function ignoreClosedStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`maos: ${(error as Error).message}\n`);
    process.exitCode = EXIT.usage;
  } else {
    throw error;
  }
}
