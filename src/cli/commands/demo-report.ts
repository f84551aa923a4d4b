// How `maos demo` reports a step: every claim it prints is checked as it is made, and a step is ok
// only when its outcome is the expected one and all its claims held. Printed as text or JSON lines.

export type StepReport = {
  readonly title: string;
  readonly expected: string;
  readonly actual: string;
  readonly ok: boolean;
  /** One plain sentence: which part of MAOS decided the outcome, and on what grounds. */
  readonly why: string;
  /** What the demo observed, each line a claim it checked. */
  readonly details: readonly string[];
  /** The claims that did not hold (empty when ok). */
  readonly failed: readonly string[];
};

/** Collects the checked claims of one step. */
export class StepLog {
  readonly details: string[] = [];
  readonly failed: string[] = [];

  /** Records `claim` and whether it held; returns `held`. */
  check(held: boolean, claim: string): boolean {
    this.details.push(claim);
    if (!held) this.failed.push(claim);
    return held;
  }

  report(title: string, expected: string, actual: string, why: string): StepReport {
    const ok = expected === actual && this.failed.length === 0;
    return { title, expected, actual, ok, why, details: this.details, failed: this.failed };
  }
}

/** A step that could not run to its end (an operating error): reported as a failed step. */
export function brokenStep(title: string, error: unknown): StepReport {
  const message = error instanceof Error ? error.message : String(error);
  return {
    title,
    expected: 'completed',
    actual: 'error',
    ok: false,
    why: `the step stopped: ${message}`,
    details: [],
    failed: [message],
  };
}

export function printStep(n: number, step: StepReport, asJson: boolean): void {
  if (asJson) {
    const { title, expected, actual, ok, why, details, failed } = step;
    process.stdout.write(
      `${JSON.stringify({ step: n, title, expected, actual, ok, why, details, failed })}\n`,
    );
    return;
  }
  const mark = step.ok ? ' ' : '!';
  const outcome =
    step.actual !== step.expected
      ? `${step.actual} (expected ${step.expected})`
      : `${step.actual.toUpperCase()}${step.ok ? '' : ', but a claim did not hold'}`;
  const lines = [`${mark}${String(n).padStart(2)}. ${step.title} → ${outcome}`];
  for (const detail of step.details) {
    lines.push(`      ${step.failed.includes(detail) ? '✗ NOT TRUE:' : '·'} ${detail}`);
  }
  lines.push(`      why: ${step.why}`, '');
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Shortens a hash or digest for display. */
export function short(hash: string): string {
  return `${hash.slice(0, 12)}…`;
}

/** True when every planned step ran and went as expected (the demo's exit code). */
export function allAsExpected(reports: readonly { readonly ok: boolean }[], planned: number): boolean {
  return reports.length === planned && reports.every((r) => r.ok);
}

/** The summary's first line: all went as expected, or how many did not. */
export function verdictLine(
  reports: readonly { readonly ok: boolean }[],
  planned: number,
  elapsedMs: number,
): string {
  const failed = reports.filter((r) => !r.ok).length;
  return allAsExpected(reports, planned)
    ? `all ${planned} steps went as expected (${(elapsedMs / 1000).toFixed(1)} s)`
    : `${failed} of ${reports.length} steps did not go as expected (${planned} planned)`;
}
