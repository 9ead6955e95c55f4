import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type AppHealth, decodeAppHealth, RedisKeys } from '@pa-connector/redis-contracts';
import { requireBinary } from '@pa-connector/test-support';
import type { StackRedis } from './redis';

/** `redis-cli HGET`, the password passed in the environment (never in argv). */
function hget(redis: StackRedis, key: string, field: string): Promise<string> {
  const cli = requireBinary('redis-cli', 'redis-tools');
  const password = readFileSync(redis.passwordFile, 'utf8').trim();
  return new Promise((resolve, reject) => {
    execFile(
      cli,
      ['-h', '127.0.0.1', '-p', String(redis.port), '--no-auth-warning', 'HGET', key, field],
      { env: { REDISCLI_AUTH: password }, timeout: 5_000 },
      (err, stdout, stderr) =>
        err
          ? reject(new Error(`redis-cli HGET ${key} ${field}: ${stderr.trim() || err.message}`))
          : resolve(stdout.trim()),
    );
  });
}

/** The connector's health of one app as stored in Redis (undefined when not there yet). */
export async function readAppHealth(
  redis: StackRedis,
  appId: string,
): Promise<AppHealth | undefined> {
  const text = await hget(redis, new RedisKeys(redis.prefix).appHealth(), appId);
  return text ? decodeAppHealth(text) : undefined;
}
