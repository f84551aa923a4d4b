// `maos audit verify`: checks the journal's hash chain and checkpoints offline, straight from the
// data directory (read-only; no daemon needed). Exit 0 verified, 1 broken, 2 unreadable.

import { parseArgs } from 'node:util';
import { verifyJournalAt } from '../../runtime/kernel-service.ts';
import type { VerifyView } from '../../runtime/service.ts';
import { AUDIT_HELP } from '../help.ts';
import { EXIT, printJson, reportError, UsageError } from '../io.ts';
import { RUNTIME_OPTIONS, runtimeLocation } from './options.ts';

export async function auditCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'verify':
      return verify(rest);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(AUDIT_HELP);
      return sub === undefined ? EXIT.usage : EXIT.ok;
    default:
      throw new UsageError(`unknown audit command \`${sub}\`; see \`maos audit --help\``);
  }
}

async function verify(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...RUNTIME_OPTIONS, json: { type: 'boolean' } } });
  if (values.help) {
    process.stdout.write(AUDIT_HELP);
    return EXIT.ok;
  }
  const report = await verifyJournalAt(runtimeLocation(values));
  if (!report.ok) return reportError(report.error);
  if (values.json) printJson(report.value);
  else process.stdout.write(`${formatReport(report.value)}\n`);
  return report.value.ok ? EXIT.ok : EXIT.deny;
}

function formatReport(report: VerifyView): string {
  return report.ok
    ? `journal verified: ${report.records} records, ${report.checkpoints} checkpoints, head #${report.headSeq}`
    : `journal broken at record #${report.brokenSeq}: ${report.reason}: ${report.message}`;
}
