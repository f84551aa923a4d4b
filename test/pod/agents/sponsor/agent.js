// Vouches for another agent's messages about a subject: bonds part of its own trust behind them.
export async function onTask(task, maos) {
  return maos.vouch(task.vouchFor, task.subject).catch((e) => ({ code: e.code, message: e.message }));
}
