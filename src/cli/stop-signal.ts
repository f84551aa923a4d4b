// How a long-running command (`maos start`, `maos gateway`, `maos mcp`) learns it should stop: the
// first SIGINT or SIGTERM, the end of standard input when the command serves a client on stdio, or
// its own `stop` (a transport that closed). A second signal forces the process out.

import { EXIT } from './io.ts';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export type Stop = {
  /** Resolves with why the command stops: a signal's name or the reason given to `stop`. */
  readonly reason: Promise<string>;
  stop(reason: string): void;
  /** Removes the listeners (after a clean shutdown, or when start-up failed). */
  cancel(): void;
};

/** Listens for the stop; `stdin` also stops when standard input ends (the stdio client went away). */
export function waitForStop(options: { readonly stdin?: boolean } = {}): Stop {
  let stop: (reason: string) => void = () => undefined;
  const reason = new Promise<string>((resolve) => {
    stop = resolve;
  });
  let signalled = false;
  const onSignal = (name: string): void => {
    if (signalled) {
      process.stderr.write(`maos: ${name} again: exiting without a clean shutdown\n`);
      process.exit(EXIT.deny);
    }
    signalled = true;
    stop(name);
  };
  const onEnd = (): void => stop('standard input closed');
  for (const name of SIGNALS) process.on(name, onSignal);
  if (options.stdin === true) process.stdin.on('end', onEnd);
  return {
    reason,
    stop,
    cancel: () => {
      for (const name of SIGNALS) process.off(name, onSignal);
      process.stdin.off('end', onEnd);
    },
  };
}
