// Joins the points it is handed; asked for its inbox, returns it.
export async function onTask(input, maos) {
  if (input === 'inbox') return maos.inbox();
  return `${input.title}: ${input.points.join(', ')}`;
}
