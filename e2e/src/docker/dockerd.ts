import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@pa-connector/test-support';
import { runCommand } from './command';

/** The Docker engine a test uses: one that was running already, or one the test started. */
export interface Dockerd {
  /** True when this test started dockerd (and so must stop it). */
  readonly started: boolean;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

async function engineAnswers(): Promise<boolean> {
  const r = await runCommand('docker', ['info', '--format', '{{.ServerVersion}}'], {
    timeoutMs: 20_000,
  }).catch(() => undefined);
  return r?.code === 0;
}

/**
 * Uses the running Docker engine, or starts `dockerd --storage-driver=vfs` (the driver that works
 * on this kind of machine) with its log in a temporary directory. Stops only what it started, by
 * PID.
 */
export async function ensureDockerd(timeoutMs = 60_000): Promise<Dockerd> {
  if (await engineAnswers()) {
    return { started: false, pid: undefined, stop: async () => undefined };
  }
  const dir = mkdtempSync(join(tmpdir(), 'pa-dockerd-'));
  const logFile = join(dir, 'dockerd.log');
  const log = openSync(logFile, 'a', 0o600);
  const child: ChildProcess = spawn(
    'dockerd',
    ['--storage-driver=vfs', '--pidfile', join(dir, 'dockerd.pid')],
    { stdio: ['ignore', log, log] },
  );
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let dead = false;
  void exited.then(() => {
    dead = true;
  });
  try {
    await waitFor(
      'dockerd to answer',
      async () => {
        if (dead) throw new Error(`dockerd exited:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
        return engineAnswers();
      },
      timeoutMs,
      500,
    );
  } catch (err) {
    if (!dead) child.kill('SIGTERM');
    throw err;
  }
  return {
    started: true,
    pid: child.pid,
    async stop() {
      if (!dead) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
