// Writes a new file durably: created exclusively with its mode (set again, whatever the umask),
// written, fsync'd and closed. Callers stage it under a temporary name and rename or link it in.

import { open } from 'node:fs/promises';

export async function writeNewFileDurable(path: string, text: string, mode = 0o600): Promise<void> {
  const handle = await open(path, 'wx', mode);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.chmod(mode);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
