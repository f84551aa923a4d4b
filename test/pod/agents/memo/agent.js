// Uses its VFS: working and episodic memory, its read-only policy, and the workspace beside them.
export async function onTask(task, maos) {
  const attempt = (fn) =>
    fn().then(
      () => 'ok',
      (e) => e.code,
    );
  if (task === 'remember') {
    await maos.fs.write('/mem/working/scratch.txt', 'gone with the pod');
    await maos.fs.write('/mem/episodic/facts.txt', 'kept across pods');
    await maos.fs.write('/notes.txt', 'workspace');
    return 'done';
  }
  if (task === 'recall') {
    return {
      episodic: await maos.fs.read('/mem/episodic/facts.txt').catch((e) => e.code),
      working: await maos.fs.read('/mem/working/scratch.txt').catch((e) => e.code),
    };
  }
  if (task === 'policy') {
    const manifest = JSON.parse(await maos.fs.read('/policy/manifest.json'));
    return {
      id: manifest.id,
      write: await attempt(() => maos.fs.write('/policy/manifest.json', '{}')),
      remove: await attempt(() => maos.fs.remove('/policy/grants.json')),
      sneak: await attempt(() => maos.fs.write('/mem/working/../../policy/x', 'x')),
      // A lookalike slash is not the VFS at all: at most a file in the agent's own workspace.
      lookalike: await attempt(() => maos.fs.write('/policy∕manifest.json', '{}')),
      after: JSON.parse(await maos.fs.read('/policy/manifest.json')).id,
    };
  }
  return null;
}
