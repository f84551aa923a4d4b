export async function onTask(_task, maos) {
  return maos.inbox();
}
