// Probe for `unshare -rn`: whether this machine lets an unprivileged user create a user and network
// namespace, in which a process sandbox has no network interface but an unconfigured loopback.
// Node 24's permission model does not restrict the network, so this is the process sandbox's only
// network barrier. Probed once per host process; the result (and why it failed) is cached.

import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';

export type NetworkNamespaceProbe =
  | { readonly available: true; readonly unshare: string }
  | { readonly available: false; readonly reason: string };

const UNSHARE_PATHS = ['/usr/bin/unshare', '/bin/unshare', '/usr/sbin/unshare'] as const;
const PROBE_TIMEOUT_MS = 5000;

let probe: Promise<NetworkNamespaceProbe> | undefined;

async function findUnshare(): Promise<string | undefined> {
  for (const path of UNSHARE_PATHS) {
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {
      // Try the next place.
    }
  }
  return undefined;
}

/** Lists the interfaces a process sees from /proc/net/dev. */
export function interfacesOf(procNetDev: string): string[] {
  return procNetDev
    .split('\n')
    .slice(2)
    .map((line) => line.split(':')[0]?.trim() ?? '')
    .filter((name) => name !== '');
}

async function run(): Promise<NetworkNamespaceProbe> {
  if (process.platform !== 'linux')
    return { available: false, reason: `network namespaces need linux, not ${process.platform}` };
  const unshare = await findUnshare();
  if (unshare === undefined) return { available: false, reason: 'unshare is not installed (util-linux)' };
  return new Promise((resolve) => {
    execFile(
      unshare,
      ['-rn', 'cat', '/proc/net/dev'],
      { timeout: PROBE_TIMEOUT_MS, env: {} },
      (error, stdout, stderr) => {
        if (error !== null) {
          const why = (stderr.trim().split('\n').at(-1) ?? '') || error.message;
          resolve({ available: false, reason: `unshare -rn failed: ${why.slice(0, 200)}` });
          return;
        }
        const names = interfacesOf(stdout);
        if (names.length !== 1 || names[0] !== 'lo') {
          resolve({ available: false, reason: `unshare -rn left interfaces \`${names.join(',')}\`` });
          return;
        }
        resolve({ available: true, unshare });
      },
    );
  });
}

/** The cached probe: the first call runs `unshare -rn cat /proc/net/dev`, later calls reuse it. */
export function probeNetworkNamespace(): Promise<NetworkNamespaceProbe> {
  probe ??= run();
  return probe;
}
