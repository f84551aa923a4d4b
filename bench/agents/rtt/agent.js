// `npm run bench -- pod`: `n` sequential gateway calls, each an intent for the no-op connector.
export async function onTask(n, maos) {
  for (let i = 0; i < n; i++) await maos.call('bench.noop', 'bench:noop/x', {});
  return n;
}
