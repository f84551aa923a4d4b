// Writes a note through the tool gateway (an intent), reads it back, asks the scripted model, and
// keeps a copy in its workspace.
export async function onTask(task, maos) {
  const put = await maos.call('kv.put', `kv:notes/${task.name}`, { value: task.text });
  const got = await maos.call('kv.get', `kv:notes/${task.name}`, {});
  const reply = await maos.llm.complete({
    model: 'demo-small',
    messages: [{ role: 'user', content: task.text }],
  });
  await maos.fs.write(`/copies/${task.name}.txt`, task.text);
  const copy = await maos.fs.read(`/copies/${task.name}.txt`);
  return { put, got, reply: reply.text, copy };
}
