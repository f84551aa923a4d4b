// The process `maos demo` kills on purpose: opens the demo's data directory, submits the intent it
// reads on stdin, and SIGKILLs itself once that intent is journaled as executing, before its effect.
// Usage (by demo-crash.ts only): node demo-crash-child.ts <config> <data-dir> < intent.json

import { openCommitRuntime } from '../../runtime/commit-runtime.ts';

const [configPath = '', dataDir = ''] = process.argv.slice(2);
const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const intent = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: unknown };

const opened = await openCommitRuntime({
  configPath,
  dataDir,
  faults: {
    atStage(stage, intentId) {
      if (stage === 'executing' && intentId === intent.id) process.kill(process.pid, 'SIGKILL');
    },
  },
});
if (!opened.ok) {
  process.stderr.write(`${opened.error.code}: ${opened.error.message}\n`);
  process.exit(2);
}
const submitted = await opened.value.commits.submit(intent);
// Reached only when the crash did not happen: the parent reports the step as failed.
process.stderr.write(`the intent ended ${submitted.ok ? submitted.value.state : submitted.error.code}\n`);
await opened.value.close();
process.exitCode = 1;
