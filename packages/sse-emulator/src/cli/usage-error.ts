/** A bad command line: the CLI prints the message and exits 64 (`ExitCode.usage`). */
export class UsageError extends Error {
  override name = 'UsageError';
}
