// Misbehaves on request: the pod must suffer, never the kernel or the other agents.
export async function onTask(task, maos) {
  switch (task) {
    case 'throw':
      throw new Error('agent blew up');
    case 'hang':
      return new Promise(() => {});
    case 'allocate': {
      const hoard = [];
      for (;;) hoard.push(new Array(1_000_000).fill(hoard.length));
    }
    case 'forge':
      // Its token covers kv:hostile/* only; naming another agent in the arguments changes nothing.
      return maos
        .call('kv.put', 'kv:notes/stolen', { value: 'x', agent: 'notes' })
        .catch((e) => ({ code: e.code, message: e.message }));
    case 'oversized':
      return maos
        .call('kv.put', 'kv:hostile/big', { value: 'x'.repeat(3_000_000) })
        .catch((e) => ({ code: e.code }));
    case 'flood': {
      const calls = [];
      for (let i = 0; i < 250; i++)
        calls.push(
          maos.call('kv.put', `kv:hostile/${i}`, { value: i }).then(
            () => 'ok',
            (e) => e.code,
          ),
        );
      return Promise.all(calls);
    }
    default:
      return 'fine';
  }
}
