// A new agent (trust at the prior): sends a note to the guard, about a subject when it names one.
export async function onTask(task, maos) {
  const options = task.subject === undefined ? undefined : { subject: task.subject };
  return maos.send('guard', 'note', { text: task.text }, options);
}
