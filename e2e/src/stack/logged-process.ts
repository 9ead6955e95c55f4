import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { LineDecoder } from '@pa-connector/config';

/** A process of the stack whose output goes to `<runDir>/<name>.log`. */
export interface LoggedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  running(): boolean;
  /** The last lines it printed (at most 200 are kept: a demo runs for hours). */
  tail(n?: number): string[];
  /** Resolves with the first line matching `pattern`; rejects on exit or after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM (or `signal`), SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number, signal?: NodeJS.Signals): Promise<number | string>;
}

const KEPT_LINES = 200;

/**
 * Every process started here, so an `exit` handler can SIGKILL what is left by PID when the
 * owner dies before its cleanup ran (a failed test, an uncaught error).
 */
const live = new Set<LoggedProcess>();
process.once('exit', () => {
  for (const p of live) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Starts `command` with exactly `env` (plus PATH), output to a 0600 log file in `runDir`. */
export function startLogged(
  runDir: string,
  name: string,
  command: string,
  args: string[],
  env: Record<string, string> = {},
): LoggedProcess {
  const logFile = join(runDir, `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a', mode: 0o600 });
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  const lines: string[] = [];
  const waiters = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
  const onData = (decoder: LineDecoder) => (chunk: Buffer) => {
    log.write(chunk);
    for (const line of decoder.push(chunk)) {
      lines.push(line);
      if (lines.length > KEPT_LINES) lines.shift();
      for (const w of waiters) {
        if (w.pattern.test(line)) {
          waiters.delete(w);
          w.resolve(line);
        }
      }
    }
  };
  child.stdout?.on('data', onData(new LineDecoder()));
  child.stderr?.on('data', onData(new LineDecoder()));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => {
      log.end();
      live.delete(proc);
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  const proc: LoggedProcess = {
    name,
    pid: child.pid,
    child,
    logFile,
    exited,
    running,
    tail: (n = 15) => lines.slice(-n),
    waitForLine(pattern, timeoutMs = 30_000) {
      const found = lines.find((l) => pattern.test(l));
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const fail = (why: string) => {
          waiters.delete(w);
          clearTimeout(timer);
          reject(
            new Error(
              `${name} ${why}; see ${logFile}; last lines:\n${lines.slice(-15).join('\n')}`,
            ),
          );
        };
        const w = {
          pattern,
          resolve: (l: string) => {
            clearTimeout(timer);
            resolve(l);
          },
        };
        const timer = setTimeout(
          () => fail(`printed no line matching ${pattern} within ${timeoutMs / 1000}s`),
          timeoutMs,
        );
        waiters.add(w);
        void exited.then((code) => {
          if (waiters.has(w)) fail(`exited (${code}) before printing a line matching ${pattern}`);
        });
      });
    },
    async stop(graceMs = 8_000, signal: NodeJS.Signals = 'SIGTERM') {
      if (running()) {
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      return exited;
    },
  };
  live.add(proc);
  return proc;
}
