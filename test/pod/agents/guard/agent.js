// Accepts notes only from senders trusted enough; a note saying `escape` makes it try to read
// outside its workspace (an injected instruction acted on), which the fs gateway blocks.
const seen = [];
export async function onMessage(message, maos) {
  seen.push(message.body.text);
  if (message.body.text === 'escape') await maos.fs.read('../../../etc/passwd').catch(() => {});
}
export async function onTask() {
  return seen;
}
