// `maos undo <intent-id>`: restores what a committed intent changed, from its snapshot.

import { UNDO_HELP } from '../help.ts';
import { decisionCommand } from './approve.ts';

export function undoCommand(args: string[]): Promise<number> {
  return decisionCommand(args, {
    name: 'undo',
    done: 'undid',
    help: UNDO_HELP,
    path: (id) => `/v1/intents/${encodeURIComponent(id)}/undo`,
  });
}
