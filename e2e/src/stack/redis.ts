import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
}

/**
 * redis-server in the root namespace on 127.0.0.1 and the root's bridge address, password in
 * 0600 files (the config and the password file), nothing persisted.
 */
export async function startStackRedis(
  runDir: string,
  bridgeAddress: string,
  prefix: string,
): Promise<StackRedis> {
  const bin = requireBinary('redis-server', 'redis-server');
  const port = await freePort();
  const dir = join(runDir, 'redis');
  mkdirSync(dir, { mode: 0o700 });
  const password = randomBytes(18).toString('base64url');
  const conf = join(dir, 'redis.conf');
  writeFileSync(
    conf,
    [
      `port ${port}`,
      `bind 127.0.0.1 ${bridgeAddress}`,
      `requirepass ${password}`,
      'save ""',
      'appendonly no',
      `dir ${dir}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const passwordFile = join(dir, 'password');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  const proc = startLogged(runDir, 'redis', bin, [conf]);
  await proc.waitForLine(/Ready to accept connections/, 15_000);
  return {
    url: `redis://127.0.0.1:${port}`,
    bridgeUrl: `redis://${bridgeAddress}:${port}`,
    port,
    passwordFile,
    prefix,
    process: proc,
  };
}
