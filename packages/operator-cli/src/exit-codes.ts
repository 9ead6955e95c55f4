/** The CLI's exit codes (the README lists them for operators and scripts). */
export const ExitCode = {
  ok: 0,
  /** `diagnose`: at least one required check failed. */
  checkFailed: 1,
  /** Bad command line: unknown command or option, missing or bad value. */
  usage: 2,
  /** A POP service could not be reached or gave an answer that cannot be read. */
  unreachable: 3,
  /** A setting (PA_* environment) is wrong or a file it names cannot be read. */
  config: 4,
  /** A bug: the message has the stack. */
  internal: 70,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
