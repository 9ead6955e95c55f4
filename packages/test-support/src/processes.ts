import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { LineDecoder } from '@pa-connector/config';

export interface TrackedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything the process wrote to stdout and stderr so far, line by line. */
  readonly lines: string[];
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** Resolves with the first line matching `pattern`, rejects on exit or timeout. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<number | string>;
}

const tracked = new Set<TrackedProcess>();

/**
 * Spawns a process and remembers its PID so `stopAll()` can end it even when a test fails.
 * Output is captured (not inherited) so tests can search every line it printed.
 */
export function spawnTracked(
  command: string,
  args: string[],
  options: SpawnOptions = {},
): TrackedProcess {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const lines: string[] = [];
  const waiters = new Set<{ pattern: RegExp; resolve: (l: string) => void }>();
  const onData = (decoder: LineDecoder) => (chunk: Buffer) => {
    for (const line of decoder.push(chunk)) {
      lines.push(line);
      for (const w of waiters) {
        if (w.pattern.test(line)) {
          waiters.delete(w);
          w.resolve(line);
        }
      }
    }
  };
  const outLines = new LineDecoder();
  const errLines = new LineDecoder();
  child.stdout?.on('data', onData(outLines));
  child.stderr?.on('data', onData(errLines));
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      for (const d of [outLines, errLines]) lines.push(...d.end());
      resolve(code ?? signal ?? 'unknown');
    });
  });
  const proc: TrackedProcess = {
    child,
    pid: child.pid,
    lines,
    exited,
    waitForLine(pattern, timeoutMs = 15_000) {
      const found = lines.find((l) => pattern.test(l));
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = {
          pattern,
          resolve: (l: string) => {
            clearTimeout(timer);
            resolve(l);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(
            new Error(
              `${command}: no line matching ${pattern} within ${timeoutMs}ms; last lines:\n${lines.slice(-20).join('\n')}`,
            ),
          );
        }, timeoutMs);
        waiters.add(w);
        void exited.then((code) => {
          if (!waiters.has(w)) return;
          waiters.delete(w);
          clearTimeout(timer);
          reject(
            new Error(
              `${command} exited (${code}) before printing a line matching ${pattern}; last lines:\n${lines.slice(-20).join('\n')}`,
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

/** Stops every process started by spawnTracked in this test file, by PID. */
export async function stopAll(): Promise<void> {
  await Promise.all([...tracked].map((p) => p.stop(2_000)));
}
