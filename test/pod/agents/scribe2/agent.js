// Joins a shared session with the token it is handed, then reads and writes under /session/<id>.
export async function onTask(task, maos) {
  const code = (e) => ({ code: e.code });
  if (task.join !== undefined) return maos.session.join(task.join, task.token).catch(code);
  if (task.write !== undefined) {
    const dir = await maos.fs.stat(`/session/${task.session}`);
    return maos.fs.write(`/session/${task.session}/${task.write}`, task.text, dir.head.commit).catch(code);
  }
  if (task.read !== undefined) return maos.fs.read(`/session/${task.session}/${task.read}`).catch(code);
  return null;
}
