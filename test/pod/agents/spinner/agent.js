// Never returns from `spin`: a busy loop only SIGKILL can end. `nap` sleeps a little and returns.
export async function onTask(task, maos) {
  if (task === 'spin') for (;;) {}
  if (task === 'nap') {
    await maos.sleep(150);
    return 'rested';
  }
  return 'idle';
}
