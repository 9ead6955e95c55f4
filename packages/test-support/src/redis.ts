import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  process: TrackedProcess;
  stop(): Promise<void>;
}

/** A real redis-server on a free loopback port, no persistence, stopped by PID. */
export async function startRedis(
  opts: { password?: string; port?: number } = {},
): Promise<TestRedis> {
  const bin = requireBinary('redis-server', 'redis-server');
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'pa-redis-'));
  // The password goes in a 0600 config file, never on the command line.
  const conf = [
    `port ${port}`,
    'bind 127.0.0.1',
    'save ""',
    'appendonly no',
    `dir ${dir}`,
    'protected-mode no',
  ];
  if (opts.password) conf.push(`requirepass ${opts.password}`);
  const confFile = join(dir, 'redis.conf');
  writeFileSync(confFile, `${conf.join('\n')}\n`, { mode: 0o600 });
  const proc = spawnTracked(bin, [confFile]);
  await proc.waitForLine(/Ready to accept connections/, 10_000);
  const auth = opts.password ? `:${encodeURIComponent(opts.password)}@` : '';
  return {
    url: `redis://${auth}127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    password: opts.password,
    prefix: `t-${randomBytes(4).toString('hex')}:`,
    process: proc,
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
