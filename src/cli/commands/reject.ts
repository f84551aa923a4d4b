// `maos reject <intent-id>`: a human rejects a held intent; it never runs.

import { REJECT_HELP } from '../help.ts';
import { decisionCommand } from './approve.ts';

export function rejectCommand(args: string[]): Promise<number> {
  return decisionCommand(args, {
    name: 'reject',
    done: 'rejected',
    help: REJECT_HELP,
    path: (id) => `/v1/held/${encodeURIComponent(id)}/reject`,
  });
}
