import type { LoggedProcess } from './logged-process';

/** What every part of a starting stack shares: where it runs and what it has started. */
export interface StackRun {
  /** The repository root (built packages are read from it). */
  root: string;
  runDir: string;
  /** The `ip` binary (processes in a namespace run through `ip netns exec`). */
  ip: string;
  /** Every process started so far; stop() ends each by PID. */
  procs: LoggedProcess[];
  /** Reports a step; throws when the start was aborted. */
  say(line: string): void;
}
