import { type ChildProcess, spawn } from 'node:child_process';

/**
 * A helper process the test talks to: JSON commands on its stdin, JSON events (or any lines) on
 * its stdout/stderr. Ended by PID with stop() / stopCommanded(); it also exits when its stdin
 * closes.
 */
export interface CommandedProcess {
  readonly child: ChildProcess;
  readonly lines: string[];
  /** First line at index >= `from` matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs?: number, from?: number): Promise<string>;
  send(command: Record<string, unknown>): void;
  stop(): Promise<void>;
}

const running = new Set<CommandedProcess>();

export function spawnCommanded(command: string, args: string[]): CommandedProcess {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const listeners = new Set<() => void>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let done = false;
  void exited.then(() => {
    done = true;
    for (const l of listeners) l();
  });
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.on('data', (c: Buffer) => {
      const parts = (partial + c.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
      for (const l of listeners) l();
    });
  }
  const p: CommandedProcess = {
    child,
    lines,
    waitForLine(pattern, timeoutMs = 15_000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.slice(from).find((l) => pattern.test(l));
          if (found !== undefined) {
            finish();
            resolve(found);
          } else if (done) {
            finish();
            reject(
              new Error(`${command} exited before ${pattern}:\n${lines.slice(-20).join('\n')}`),
            );
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(
            new Error(`no line ${pattern} within ${timeoutMs}ms:\n${lines.slice(-20).join('\n')}`),
          );
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    send(cmd) {
      child.stdin?.write(`${JSON.stringify(cmd)}\n`);
    },
    async stop() {
      running.delete(p);
      if (done) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
      await exited;
      clearTimeout(timer);
    },
  };
  child.stdin?.on('error', () => undefined);
  running.add(p);
  return p;
}

export async function stopCommanded(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}
