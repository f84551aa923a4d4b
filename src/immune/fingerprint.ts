// Behavioural fingerprint (§41.2, digest §7.3, DR-M6): per agent, fixed windows of gateway calls
// reduced to four features, a fixed baseline from the first N windows (calibration), and each
// later window scored in standard deviations: 1σ log, 2σ dashboard alert, 3σ security evaluation,
// 4σ automatic pause. Pure: time comes in; windows close on the next sample or tick.

import { makeRoom, touch } from '../shared/lru.ts';
import type { BehaviourSample } from './port.ts';

export type FingerprintOptions = {
  readonly windowMs: number;
  /** Windows measured before the baseline is fixed (empty windows count). */
  readonly calibrationWindows: number;
};

export const FINGERPRINT_DEFAULTS: FingerprintOptions = { windowMs: 10_000, calibrationWindows: 6 };

const FEATURES = ['calls', 'bytes', 'blockedShare', 'targets'] as const;
export type Feature = (typeof FEATURES)[number];

export type FingerprintLevel = 'log' | 'alert' | 'anomaly' | 'pause';

/** The largest upward deviation of one closed window, at 1σ or more. */
export type FingerprintFinding = {
  readonly agent: string;
  readonly level: FingerprintLevel;
  readonly feature: Feature;
  readonly z: number;
  readonly value: number;
  readonly mean: number;
  readonly sd: number;
};

const TARGETS_PER_WINDOW_MAX = 4_096;
/** Below this many calls a window's blocked share is noise (one blocked call of one is 100 %). */
const SHARE_CALLS_MIN = 5;
const SHARE_SD_MIN = 0.1;
const BYTES_SD_RELATIVE_MIN = 0.1;

type Window = { calls: number; bytes: number; blocked: number; targets: Set<string> };
type Baseline = { readonly mean: Record<Feature, number>; readonly sd: Record<Feature, number> };
type Print = { openIndex: number; current: Window; calibration: Window[]; baseline: Baseline | undefined };

export class Fingerprints {
  readonly #options: FingerprintOptions;
  readonly #agentsMax: number;
  readonly #prints = new Map<string, Print>();

  constructor(options: FingerprintOptions, agentsMax: number) {
    this.#options = options;
    this.#agentsMax = agentsMax;
  }

  /** Adds one gateway call at `nowMs`, after closing the windows that ended before it. */
  observe(sample: BehaviourSample, nowMs: number): FingerprintFinding[] {
    const index = this.#indexOf(nowMs);
    let print = this.#prints.get(sample.agent);
    if (print === undefined) {
      makeRoom(this.#prints, this.#agentsMax, () => true);
      print = { openIndex: index, current: emptyWindow(), calibration: [], baseline: undefined };
    }
    touch(this.#prints, sample.agent, print);
    const findings = this.#advance(sample.agent, print, index);
    const window = print.current;
    window.calls++;
    window.bytes += sample.bytes;
    if (sample.blocked) window.blocked++;
    if (window.targets.size < TARGETS_PER_WINDOW_MAX) window.targets.add(sample.target);
    return findings;
  }

  /** Closes every window that has ended, for every agent (quiet windows count too). */
  tick(nowMs: number): FingerprintFinding[] {
    const index = this.#indexOf(nowMs);
    const out: FingerprintFinding[] = [];
    for (const [agent, print] of this.#prints) out.push(...this.#advance(agent, print, index));
    return out;
  }

  /** Forgets an agent's baseline (a replacement calibrates afresh). */
  reset(agent: string): void {
    this.#prints.delete(agent);
  }

  #indexOf(nowMs: number): number {
    return Math.floor(nowMs / this.#options.windowMs);
  }

  #advance(agent: string, print: Print, index: number): FingerprintFinding[] {
    const out: FingerprintFinding[] = [];
    while (print.openIndex < index) {
      const closed = print.current;
      print.current = emptyWindow();
      print.openIndex++;
      if (print.baseline === undefined) {
        print.calibration.push(closed);
        if (print.calibration.length >= this.#options.calibrationWindows) {
          print.baseline = baselineOf(print.calibration);
          print.calibration = [];
        }
        continue;
      }
      const finding = score(agent, print.baseline, closed);
      if (finding !== undefined) out.push(finding);
      // WHY: once calibrated, an empty window cannot deviate upwards; skip a long quiet run at once.
      if (closed.calls === 0) print.openIndex = index;
    }
    return out;
  }
}

function emptyWindow(): Window {
  return { calls: 0, bytes: 0, blocked: 0, targets: new Set() };
}

function featuresOf(window: Window): Record<Feature, number> {
  return {
    calls: window.calls,
    bytes: window.bytes,
    blockedShare: window.calls === 0 ? 0 : window.blocked / window.calls,
    targets: window.targets.size,
  };
}

function baselineOf(windows: readonly Window[]): Baseline {
  const values = windows.map(featuresOf);
  const mean = {} as Record<Feature, number>;
  const sd = {} as Record<Feature, number>;
  for (const feature of FEATURES) {
    // The blocked share means something only in windows with calls.
    const series = values.filter((_value, i) => feature !== 'blockedShare' || (windows[i]?.calls ?? 0) > 0);
    const xs = series.map((v) => v[feature]);
    const m = xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.length === 0 ? 0 : xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length;
    mean[feature] = m;
    sd[feature] = flooredSd(feature, m, Math.sqrt(variance));
  }
  return { mean, sd };
}

/**
 * WHY: a steady calibration has zero variance, and dividing by it would make any change
 * infinitely many σ. Counts take a Poisson floor (√mean, at least 1), bytes 10 % of the mean,
 * the blocked share 0.1 (one call in ten).
 */
function flooredSd(feature: Feature, mean: number, sd: number): number {
  switch (feature) {
    case 'calls':
    case 'targets':
      return Math.max(sd, Math.sqrt(mean), 1);
    case 'bytes':
      return Math.max(sd, BYTES_SD_RELATIVE_MIN * mean, 1);
    case 'blockedShare':
      return Math.max(sd, SHARE_SD_MIN);
  }
}

/**
 * The largest upward deviation. WHY: only more activity than the baseline counts; an agent that
 * goes idle would otherwise be an anomaly every quiet window.
 */
function score(agent: string, baseline: Baseline, window: Window): FingerprintFinding | undefined {
  const values = featuresOf(window);
  let best: { feature: Feature; z: number } | undefined;
  for (const feature of FEATURES) {
    if (feature === 'blockedShare' && window.calls < SHARE_CALLS_MIN) continue;
    const z = (values[feature] - baseline.mean[feature]) / baseline.sd[feature];
    if (best === undefined || z > best.z) best = { feature, z };
  }
  if (best === undefined || best.z < 1) return undefined;
  const level: FingerprintLevel =
    best.z >= 4 ? 'pause' : best.z >= 3 ? 'anomaly' : best.z >= 2 ? 'alert' : 'log';
  return {
    agent,
    level,
    feature: best.feature,
    z: round(best.z),
    value: round(values[best.feature]),
    mean: round(baseline.mean[best.feature]),
    sd: round(baseline.sd[best.feature]),
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
