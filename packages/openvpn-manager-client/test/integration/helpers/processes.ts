import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A child process the test started; `stopAll()` ends it by PID even when a test fails. */
export interface TrackedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything it wrote to stdout and stderr so far, line by line. */
  readonly lines: string[];
  /** The exit code (or signal name) once it has ended. */
  readonly exited: Promise<number | string>;
  /** The first line matching `pattern`; rejects on exit or after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<number | string>;
}

const tracked = new Set<TrackedProcess>();

export function spawnTracked(
  command: string,
  args: string[],
  options: SpawnOptions = {},
): TrackedProcess {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const lines: string[] = [];
  const waiters = new Set<(line: string) => void>();
  for (const input of [child.stdout, child.stderr]) {
    if (!input) continue;
    createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
      lines.push(line);
      for (const w of waiters) w(line);
    });
  }
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const last = () => lines.slice(-20).join('\n');
  const proc: TrackedProcess = {
    child,
    pid: child.pid,
    lines,
    exited,
    waitForLine(pattern, timeoutMs = 15_000) {
      const found = lines.find((l) => pattern.test(l));
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const settle = (error: Error | undefined, line = '') => {
          waiters.delete(onLine);
          clearTimeout(timer);
          if (error) reject(error);
          else resolve(line);
        };
        const onLine = (line: string) => {
          if (pattern.test(line)) settle(undefined, line);
        };
        const timer = setTimeout(
          () =>
            settle(
              new Error(`${command}: no line matching ${pattern} in ${timeoutMs}ms:\n${last()}`),
            ),
          timeoutMs,
        );
        waiters.add(onLine);
        void exited.then((code) => {
          if (waiters.has(onLine))
            settle(
              new Error(
                `${command} exited (${code}) before a line matching ${pattern}:\n${last()}`,
              ),
            );
        });
      });
    },
    async stop(graceMs = 5_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      tracked.delete(proc);
      return exited;
    },
  };
  tracked.add(proc);
  return proc;
}

/** Stops every process this test file started, by PID. */
export async function stopAll(): Promise<void> {
  await Promise.all([...tracked].map((p) => p.stop(2_000)));
}
