import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSecretFile } from '@pa-connector/config';
import { freePort } from './free-port';
import { spawnTracked, type TrackedProcess } from './processes';
import { requireBinary } from './require-binary';

export interface TestRedis {
  url: string;
  host: string;
  port: number;
  password: string | undefined;
  /** A key prefix no other test uses, e.g. `t-1a2b3c4d:`. */
  prefix: string;
  /** The running redis-server (a new one after `restart`). */
  readonly process: TrackedProcess;
  /** SIGSTOP: the kernel still accepts connections and buffers bytes, nothing answers. */
  freeze(): void;
  /** SIGCONT after `freeze`. */
  thaw(): void;
  /**
   * Stops the server (SIGTERM: it writes what it persists) and starts it again on the same port
   * with the same data directory.
   */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartRedisOptions {
  password?: string;
  port?: number;
  /** appendonly yes, appendfsync everysec, as the POP's Redis runs: data survives a restart. */
  appendOnly?: boolean;
}

/** A real redis-server on a free loopback port (no persistence unless asked), stopped by PID. */
export async function startRedis(opts: StartRedisOptions = {}): Promise<TestRedis> {
  const bin = requireBinary('redis-server', 'redis-server');
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'pa-redis-'));
  // The password goes in a 0600 config file, never on the command line.
  const conf = [
    `port ${port}`,
    'bind 127.0.0.1',
    'save ""',
    opts.appendOnly ? 'appendonly yes\nappendfsync everysec' : 'appendonly no',
    `dir ${dir}`,
    'protected-mode no',
  ];
  if (opts.password) conf.push(`requirepass ${opts.password}`);
  const confFile = join(dir, 'redis.conf');
  await writeSecretFile(confFile, `${conf.join('\n')}\n`);
  const launch = async () => {
    const p = spawnTracked(bin, [confFile]);
    await p.waitForLine(/Ready to accept connections/, 10_000);
    return p;
  };
  let proc = await launch();
  const auth = opts.password ? `:${encodeURIComponent(opts.password)}@` : '';
  return {
    url: `redis://${auth}127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    password: opts.password,
    prefix: `t-${randomBytes(4).toString('hex')}:`,
    get process() {
      return proc;
    },
    freeze() {
      process.kill(proc.pid, 'SIGSTOP');
    },
    thaw() {
      process.kill(proc.pid, 'SIGCONT');
    },
    async restart() {
      await proc.stop(10_000);
      proc = await launch();
    },
    async stop() {
      // A frozen server would ignore SIGTERM until the grace ran out.
      if (proc.child.exitCode === null && proc.child.signalCode === null) {
        process.kill(proc.pid, 'SIGCONT');
      }
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
