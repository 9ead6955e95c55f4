import { ExitCode } from '@pa-connector/config';

/**
 * A bench run as a command: its figures a line each, names lined up, on stdout; or, when it
 * failed (a bad option among the reasons), `<bench> bench failed: <reason>` on stderr and a
 * failed exit code.
 */
export function printFigures(
  bench: string,
  run: () => Promise<Readonly<Record<string, unknown>>>,
): Promise<void> {
  return Promise.resolve()
    .then(run)
    .then(
      (figures) => {
        const width = Math.max(0, ...Object.keys(figures).map((k) => k.length)) + 2;
        for (const [k, v] of Object.entries(figures)) {
          process.stdout.write(`${k.padEnd(width)} ${String(v)}\n`);
        }
      },
      (err: unknown) => {
        process.stderr.write(`${bench} bench failed: ${(err as Error).message}\n`);
        process.exitCode = ExitCode.failed;
      },
    );
}
