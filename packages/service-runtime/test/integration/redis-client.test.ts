import { Writable } from 'node:stream';
import { createLogger } from '@pa-connector/logger';
import {
  startRedis,
  startTcpRelay,
  stopAll,
  type TcpRelay,
  type TestRedis,
  waitFor,
} from '@pa-connector/test-support';
import { redisReadiness } from '../../src/readiness';
import { createRedis, type Redis } from '../../src/redis-client';

afterAll(stopAll);

describe('createRedis against a Redis that hangs', () => {
  let redis: TestRedis;
  let relay: TcpRelay;
  let client: Redis;
  const lines: string[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    relay = await startTcpRelay({ host: redis.host, port: redis.port });
    const logger = createLogger({
      service: 'update',
      destination: new Writable({
        write(chunk, _e, cb) {
          lines.push(String(chunk));
          cb();
        },
      }),
    });
    client = createRedis(
      {
        redisUrl: new URL(`redis://${relay.host}:${relay.port}`),
        redisCommandTimeout: 500,
        redisConnectTimeout: 500,
      },
      logger,
    );
    await waitFor('ready', () => client.status === 'ready');
  });
  afterAll(async () => {
    relay?.resume();
    client?.disconnect();
    await relay?.close();
    await redis?.stop();
  });

  it('fails each command within its deadline, stops counting as ready, and comes back on resume', async () => {
    const check = redisReadiness(client);
    relay.pause();
    const started = performance.now();
    await expect(client.set(`${redis.prefix}k`, 'v')).rejects.toThrow(/timed out/);
    const failedAfter = performance.now() - started;
    await waitFor('not ready', () => !check.check(), 10_000);
    const notReadyAfter = performance.now() - started;
    // Re-made connections hang in the handshake; each attempt is bounded too, none gets ready.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(check.check()).toBe(false);
    console.log(
      `relay paused: a command failed after ${Math.round(failedAfter)} ms, readiness false after ${Math.round(notReadyAfter)} ms (deadline 500 ms)`,
    );
    relay.resume();
    await waitFor('ready again', () => check.check(), 15_000);
    await client.set(`${redis.prefix}k`, 'v2');
    expect(await client.get(`${redis.prefix}k`)).toBe('v2');
    expect(lines.filter((l) => l.includes('Redis stopped answering'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('Redis reachable again')).length).toBeGreaterThanOrEqual(
      1,
    );
  });
});
