import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, requireBinary } from '@pa-connector/test-support';

/** A Docker registry (Debian's docker-registry), plain HTTP, no auth. */
export interface LocalRegistry {
  /** `<address>:<port>` (127.0.0.1 unless told): the prefix of image references pushed here. */
  readonly host: string;
  /** PID of the running registry process, or of the last one once paused or stopped. */
  readonly pid: number;
  /** The 0700 directory holding the config, the storage and `registry.log`. */
  readonly dir: string;
  /** SIGTERM (SIGKILL after 10 s), then removes `dir`. Safe to call twice. */
  stop(): Promise<void>;
  /** Stops the process and keeps the storage: the registry is down until `resume()`. */
  pause(): Promise<void>;
  /** Starts again on the same port and storage and waits for `GET /v2/`. */
  resume(): Promise<void>;
}

export interface RegistryOptions {
  /** How long to wait for `GET /v2/` to answer 200 on each start (default 30 s). */
  startTimeoutMs?: number;
  /**
   * The IPv4 address it listens on (default 127.0.0.1), e.g. the root namespace's address on a
   * test topology, so engines in the topology's namespaces pull from it.
   */
  address?: string;
}

const KILL_AFTER_MS = 10_000;

function config(dir: string, addr: string): string {
  // The secret only signs upload state between requests; a fixed one per registry keeps uploads
  // valid across pause/resume and keeps the "generated random secret" warning out of the log.
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'storage')}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: ${addr}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    '',
  ].join('\n');
}

async function v2Answers(host: string): Promise<boolean> {
  const res = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(2_000) }).catch(
    () => undefined,
  );
  await res?.body?.cancel();
  return res?.status === 200;
}

class RegistryProcess implements LocalRegistry {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private lastPid = 0;
  private stopped = false;

  constructor(
    readonly host: string,
    readonly dir: string,
    private readonly binary: string,
    private readonly timeoutMs: number,
  ) {}

  get pid(): number {
    return this.lastPid;
  }

  private logTail(): string {
    try {
      return readFileSync(join(this.dir, 'registry.log'), 'utf8').slice(-2000);
    } catch {
      return '(no log)';
    }
  }

  async start(): Promise<void> {
    const log = openSync(join(this.dir, 'registry.log'), 'a', 0o600);
    const child = spawn(this.binary, ['serve', join(this.dir, 'config.yml')], {
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    let exit: string | undefined;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        exit = signal ? `signal ${signal}` : `code ${code}`;
        resolve();
      });
      child.once('error', (err) => {
        exit = err.message;
        resolve();
      });
    });
    this.child = child;
    this.lastPid = child.pid ?? 0;
    const deadline = Date.now() + this.timeoutMs;
    try {
      for (;;) {
        if (exit) throw new Error(`docker-registry exited (${exit}):\n${this.logTail()}`);
        if (await v2Answers(this.host)) return;
        if (Date.now() > deadline) {
          throw new Error(
            `timed out after ${this.timeoutMs}ms waiting for GET http://${this.host}/v2/:\n${this.logTail()}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    } catch (err) {
      await this.halt();
      throw err;
    }
  }

  private async halt(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
      await this.exited;
      clearTimeout(killer);
    }
  }

  async pause(): Promise<void> {
    if (this.stopped || !this.child) throw new Error(`the registry at ${this.host} is not running`);
    await this.halt();
  }

  async resume(): Promise<void> {
    if (this.stopped) throw new Error(`the registry at ${this.host} was stopped`);
    if (this.child) throw new Error(`the registry at ${this.host} is already running`);
    await this.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    try {
      await this.halt();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/**
 * Starts `/usr/bin/docker-registry` on a free port of 127.0.0.1 (or of `address`) with its
 * storage in a new 0700 temporary directory. dockerd treats 127.0.0.0/8 registries as insecure
 * (plain HTTP) without configuration, so `docker push <host>/<name>:<tag>` works at once; an
 * engine pulling from another address needs it in its `--insecure-registry` list.
 */
export async function startRegistry(o: RegistryOptions = {}): Promise<LocalRegistry> {
  const binary = requireBinary('docker-registry', 'docker-registry');
  const dir = mkdtempSync(join(tmpdir(), 'pa-registry-'));
  const address = o.address ?? '127.0.0.1';
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) {
    throw new Error(`the registry listens on an IPv4 address, not ${JSON.stringify(address)}`);
  }
  const host = `${address}:${await freePort(address)}`;
  writeFileSync(join(dir, 'config.yml'), config(dir, host), { mode: 0o600 });
  const registry = new RegistryProcess(host, dir, binary, o.startTimeoutMs ?? 30_000);
  try {
    await registry.start();
  } catch (err) {
    await registry.stop();
    throw err;
  }
  return registry;
}
