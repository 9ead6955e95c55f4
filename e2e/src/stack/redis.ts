import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeSecretFile } from '@pa-connector/config';
import { freePort, requireBinary } from '@pa-connector/test-support';
import { type LoggedProcess, startLogged } from './logged-process';

export interface StackRedis {
  /** `redis://127.0.0.1:<port>` (no password in the URL: it is in `passwordFile`). */
  url: string;
  /** `redis://<root bridge address>:<port>`, for the connector in its namespace. */
  bridgeUrl: string;
  port: number;
  /** 0600 file holding the password (`PA_REDIS_PASSWORD_FILE`). */
  passwordFile: string;
  /** Key prefix of this run's services (`PA_REDIS_PREFIX`). */
  prefix: string;
  process: LoggedProcess;
  /** The config file redis-server runs with (0600: it holds the password). */
  confFile: string;
}

/**
 * redis-server in the root namespace on 127.0.0.1 and the root's bridge address, password in
 * 0600 files (the config and the password file), the append-only file in the run directory as
 * in the POP's Redis (so a restart keeps the streams, groups and producer sequence numbers).
 */
export async function startStackRedis(
  runDir: string,
  bridgeAddress: string,
  prefix: string,
): Promise<StackRedis> {
  const port = await freePort();
  const dir = join(runDir, 'redis');
  mkdirSync(dir, { mode: 0o700 });
  const password = randomBytes(18).toString('base64url');
  const conf = join(dir, 'redis.conf');
  await writeSecretFile(
    conf,
    [
      `port ${port}`,
      `bind 127.0.0.1 ${bridgeAddress}`,
      `requirepass ${password}`,
      'save ""',
      'appendonly yes',
      'appendfsync everysec',
      `dir ${dir}`,
      '',
    ].join('\n'),
  );
  const passwordFile = join(dir, 'password');
  await writeSecretFile(passwordFile, `${password}\n`);
  const proc = await runRedis(runDir, conf);
  return {
    url: `redis://127.0.0.1:${port}`,
    bridgeUrl: `redis://${bridgeAddress}:${port}`,
    port,
    passwordFile,
    prefix,
    process: proc,
    confFile: conf,
  };
}

async function runRedis(runDir: string, conf: string): Promise<LoggedProcess> {
  const bin = requireBinary('redis-server', 'redis-server');
  const proc = startLogged(runDir, 'redis', bin, [conf]);
  await proc.waitForLine(/Ready to accept connections/, 15_000);
  return proc;
}

/**
 * SIGTERM by PID (Redis writes its append-only file and exits), then redis-server again with the
 * same config: same port, same data. `redis.process` is the new process afterwards.
 */
export async function restartStackRedis(runDir: string, redis: StackRedis): Promise<LoggedProcess> {
  await redis.process.stop(15_000, 'SIGTERM');
  redis.process = await runRedis(runDir, redis.confFile);
  return redis.process;
}
