export async function onTask(task, maos) {
  return maos.send('listener', 'note', { text: task });
}
