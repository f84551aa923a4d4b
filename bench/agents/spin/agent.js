// A busy loop: only SIGKILL ends it.
export async function onTask() {
  for (;;) {}
}
