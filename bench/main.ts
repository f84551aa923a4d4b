// `npm run bench -- [group ...]`: runs the named benchmark groups (`decide` when none) and prints
// one JSON line per case, after a first line describing the machine.

import { type BenchCase, type BenchFigure, type BenchResult, machine, measure } from './harness.ts';

/** Cases the harness times one by one, or results a group measured itself (concurrent runs). */
type Group = () => Promise<ReadonlyArray<BenchCase | BenchResult | BenchFigure>>;

const decide: Group = async () => (await import('./decide.ts')).decideCases();
const token: Group = async () => (await import('./token.ts')).tokenCases();
const prefilter: Group = async () => (await import('./prefilter.ts')).prefilterCases();
const commit: Group = async () => (await import('./commit.ts')).commitResults();
const gateway: Group = async () => (await import('./gateway.ts')).gatewayResults();
const ifc: Group = async () => (await import('./ifc.ts')).ifcCases();
const pod: Group = async () => (await import('./pod.ts')).podResults();
const bus: Group = async () => (await import('./bus.ts')).busResults();

/** `decide` is the group: decisions, cold token verification and the 10 KB pre-filter scan. */
const GROUPS: Readonly<Record<string, Group>> = {
  decide: async () => [...(await decide()), ...(await token()), ...(await prefilter())],
  token,
  prefilter,
  commit,
  gateway,
  ifc,
  pod,
  bus,
};

const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const names = wanted.length === 0 ? ['decide'] : wanted;
const unknown = names.filter((name) => !Object.hasOwn(GROUPS, name));
if (unknown.length > 0) {
  console.error(
    `unknown benchmark group \`${unknown.join(', ')}\`; known: ${Object.keys(GROUPS).join(', ')}`,
  );
  process.exit(2);
}
console.log(JSON.stringify({ machine: machine() }));
for (const name of names) {
  const group = GROUPS[name];
  if (group === undefined) continue;
  for (const bench of await group()) {
    console.log(JSON.stringify('run' in bench ? await measure(bench as BenchCase) : bench));
  }
}
