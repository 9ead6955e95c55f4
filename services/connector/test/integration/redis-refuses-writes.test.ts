import { join } from 'node:path';
import { RedisKeys } from '@pa-connector/redis-contracts';
import { startRedis, stopAll, type TestRedis, waitFor } from '@pa-connector/test-support';
import { type EmulatorHarness, startEmulatorHarness } from '@pa-connector/test-support/emulator';
import IORedis from 'ioredis';
import { type InProcessConnector, scratch, startInProcess, testEnv } from '../support/connector';

afterAll(stopAll);

/**
 * A Redis that answers but refuses writes (here: it wants a replica it does not have) keeps the
 * connection ready, so no reconnect announces when writes work again. What the connector keeps
 * in Redis must get there anyway once they do.
 */
describe('a Redis that refuses writes for a while', () => {
  let redis: TestRedis;
  let emu: EmulatorHarness;
  let tmp: ReturnType<typeof scratch>;
  let c: InProcessConnector;
  let direct: IORedis;
  let keys: RedisKeys;

  beforeAll(async () => {
    redis = await startRedis();
    keys = new RedisKeys(redis.prefix);
    direct = new IORedis(redis.url);
    tmp = scratch();
    emu = await startEmulatorHarness();
  });
  afterAll(async () => {
    await c?.stop();
    await direct?.config('SET', 'min-replicas-to-write', '0').catch(() => undefined);
    direct?.disconnect();
    await emu?.stop();
    await redis?.stop();
    tmp?.cleanup();
  });

  it('writes the identity summary and the catalog once Redis takes writes again', async () => {
    const groupId = await emu.admin.group();
    await emu.admin.setApps(groupId, [
      {
        id: 'wiki',
        name: 'Wiki',
        host: 'wiki.corp',
        port: 443,
        servers: [{ host: '10.1.0.5', port: 8443 }],
      },
    ]);
    const { key } = await emu.admin.key(groupId);
    await direct.config('SET', 'min-replicas-to-write', '1');
    c = await startInProcess(
      testEnv({
        sseUrls: [emu.sseUrl],
        caCertPath: emu.caCertPath,
        dataDir: join(tmp.dir, 'data'),
        redisUrl: redis.url,
        redisPrefix: redis.prefix,
        keyFile: tmp.file('key', key),
      }),
    );
    await waitFor('the catalog synced', () => c.service.controlPlane.catalog.snapshot, 20_000);
    await waitFor('the identity adopted', () => c.service.controlPlane.identity, 20_000);
    // Let the first writes fail for sure.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await direct.exists(keys.connectorIdentity(), keys.catalog())).toBe(0);
    expect(c.service.redis.status).toBe('ready');

    await direct.config('SET', 'min-replicas-to-write', '0');
    const from = performance.now();
    await waitFor(
      'the identity summary in Redis',
      async () => (await direct.hget(keys.connectorIdentity(), 'connectorId')) !== null,
      15_000,
    );
    await waitFor(
      'the catalog in Redis',
      async () => (await direct.get(keys.catalog())) !== null,
      15_000,
    );
    console.log(
      `writes accepted again: Redis had both ${Math.round(performance.now() - from)} ms later`,
    );
    expect(await direct.hget(keys.connectorIdentity(), 'connectorId')).toBe(
      c.service.controlPlane.identity?.connectorId,
    );
  });
});
