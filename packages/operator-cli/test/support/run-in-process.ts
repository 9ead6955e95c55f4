import type { CliContext } from '../../src/context';
import { runCli } from '../../src/run-cli';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process with exactly `env` (nothing from the test's own environment). */
export async function runInProcess(
  argv: string[],
  env: Record<string, string | undefined>,
  o: {
    now?: Date;
    signal?: AbortSignal;
    sleep?: (ms: number) => Promise<void>;
    readFile?: (path: string) => Promise<string>;
  } = {},
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    env,
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    now: () => o.now ?? new Date(),
    signal: o.signal ?? new AbortController().signal,
    sleep: o.sleep ?? (async () => undefined),
    readFile: o.readFile ?? (async (path) => Promise.reject(new Error(`no file ${path}`))),
  };
  const code = await runCli(argv, ctx);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}
