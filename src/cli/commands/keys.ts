// `maos keys list | rotate`: the issuer keys in the data directory.

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, loadOrCreateIssuerKeys, rotateIssuerKey } from '../../runtime/index.ts';
import { systemClock, systemRandom } from '../../shared/index.ts';
import { KEYS_HELP } from '../help.ts';
import { EXIT, printJson, reportError, UsageError } from '../io.ts';
import { RUNTIME_OPTIONS } from './options.ts';

export async function keysCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: RUNTIME_OPTIONS });
  if (sub === undefined || sub === '--help' || sub === '-h' || values.help) {
    process.stdout.write(KEYS_HELP);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  if (sub !== 'list' && sub !== 'rotate')
    throw new UsageError(`unknown keys command \`${sub}\`; see \`maos keys --help\``);
  let dataDir = values['data-dir'] === undefined ? undefined : resolve(values['data-dir']);
  if (dataDir === undefined) {
    const config = await loadConfig(resolve(values.config));
    if (!config.ok) return reportError(config.error);
    dataDir = config.value.dataDir;
  }
  const keys =
    sub === 'rotate'
      ? await rotateIssuerKey(dataDir, systemClock, systemRandom)
      : await loadOrCreateIssuerKeys(dataDir, systemClock, systemRandom);
  if (!keys.ok) return reportError(keys.error);
  printJson({ current: keys.value.current.kid, verifying: [...keys.value.publicKeys.keys()] });
  return EXIT.ok;
}
