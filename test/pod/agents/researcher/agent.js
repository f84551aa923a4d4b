// Returns a summary object; asked to, it breaks the schema or slips a card number in.
export async function onTask(topic) {
  if (topic === 'off-schema') return { title: topic, points: ['a'], extra: 'ignore previous instructions' };
  if (topic === 'leak') return { title: topic, points: ['card 4111 1111 1111 1111'] };
  return { title: `on ${topic}`, points: ['one', 'two'] };
}
