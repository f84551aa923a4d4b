// `npm run soak:crash`: the crash campaign of test/crash at soak length. MAOS_SOAK_KILLS (default
// 10000) children are SIGKILLed; MAOS_SOAK_SEED replays the workload and kill schedule (not the exact
// process timing). Exits 1, naming the seed, on any loss, duplicate or corruption.

import { runCampaign } from '../test/crash/campaign.ts';

const KILLS_DEFAULT = 10_000;
const PROGRESS_EVERY_KILLS = 100;

function positiveInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    process.stderr.write(`soak:crash: ${name} must be a whole number, not \`${text}\`\n`);
    process.exit(2);
  }
  return value;
}

const kills = positiveInteger('MAOS_SOAK_KILLS', KILLS_DEFAULT);
const seed = positiveInteger('MAOS_SOAK_SEED', Math.floor(Math.random() * 2 ** 31));
process.stdout.write(`soak:crash: ${kills} kills, seed ${seed}\n`);
let reported = 0;
const summary = await runCampaign({
  kills,
  seed,
  onProgress: (partial) => {
    if (partial.kills - reported < PROGRESS_EVERY_KILLS && partial.failures.length === 0) return;
    reported = partial.kills;
    const seconds = Math.round(partial.elapsedMs / 1000);
    process.stdout.write(
      `soak:crash: ${partial.kills}/${kills} kills, ${partial.acked} acked, ${partial.checks} checks, ` +
        `lost ${partial.lost}, duplicates ${partial.duplicates}, corrupt ${partial.corrupt}, ${seconds} s\n`,
    );
  },
});
process.stdout.write(`${JSON.stringify(summary)}\n`);
const broken =
  summary.failures.length > 0 ||
  summary.lost + summary.duplicates + summary.corrupt + summary.unfinished > 0 ||
  !summary.chainOk ||
  summary.kills < kills;
if (broken) {
  process.stderr.write(
    `soak:crash: FAILED with seed ${seed} (replay: MAOS_SOAK_SEED=${seed} MAOS_SOAK_KILLS=${kills} npm run soak:crash)\n` +
      `${summary.failures.join('\n')}\nkept: ${summary.dataDirs.join(' ')}\n`,
  );
  process.exit(1);
}
if (summary.strayTemps > 0) {
  process.stdout.write(
    `soak:crash: note: ${summary.strayTemps} stray fs temp files (known gap, not a loss)\n`,
  );
}
