// `maos schema`: prints the JSON Schema of `maos.yaml` for editors and CI validation.

import { configJsonSchema } from '../../runtime/index.ts';
import { SCHEMA_HELP } from '../help.ts';
import { EXIT, printJson, UsageError } from '../io.ts';

export function schemaCommand(args: string[]): number {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(SCHEMA_HELP);
    return EXIT.ok;
  }
  if (args.length > 0) throw new UsageError(`\`maos schema\` takes no arguments, got \`${args.join(' ')}\``);
  printJson(configJsonSchema());
  return EXIT.ok;
}
