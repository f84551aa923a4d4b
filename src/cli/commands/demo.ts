// `maos demo`: MAOS's main story on the embedded default, with nothing to set up. An agent writes
// files and calls a local HTTP service through the kernel; see demo-run.ts for the steps.
// `maos demo attack`: a compromised agent in a pod meets the immune system; see demo-attack.ts.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_HELP } from '../help.ts';
import { EXIT, UsageError } from '../io.ts';

const DEMOS = ['attack'] as const;

export async function demoCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, keep: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(DEMO_HELP);
    return EXIT.ok;
  }
  const [which, ...extra] = positionals;
  if (extra.length > 0 || (which !== undefined && !(DEMOS as readonly string[]).includes(which))) {
    throw new UsageError(
      `unknown demo \`${positionals.join(' ')}\`; use \`maos demo\` or \`maos demo attack\``,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), which === 'attack' ? 'maos-demo-attack-' : 'maos-demo-'));
  try {
    // WHY: loaded on use; the commit runtime (storage, connectors) would slow every other command's start.
    if (which === 'attack') {
      const { runAttackDemo } = await import('./demo-attack.ts');
      return await runAttackDemo(dir, values.json === true);
    }
    const { runDemo } = await import('./demo-run.ts');
    return await runDemo(dir, values.json === true);
  } finally {
    if (values.keep) {
      // WHY: with --json, stdout carries only the steps' JSON lines.
      const out = values.json ? process.stderr : process.stdout;
      out.write(
        `demo directory kept: ${dir}\ninspect it with \`maos audit verify -c ${join(dir, 'maos.yaml')}\`\n`,
      );
    } else {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
