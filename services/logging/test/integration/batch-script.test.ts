import { XADD_BATCH_SCRIPT } from '@pa-connector/logger';
import { RedisKeys } from '@pa-connector/redis-contracts';
import { startRedis, stopAll, type TestRedis } from '@pa-connector/test-support';
import Redis from 'ioredis';

afterAll(stopAll);

/** The shipping script on a real Redis: the producer's sequence numbers make it idempotent. */
describe('the log batch script', () => {
  let redis: TestRedis;
  let c: Redis;
  let keys: RedisKeys;
  beforeAll(async () => {
    redis = await startRedis();
    c = new Redis(redis.url);
    keys = new RedisKeys(redis.prefix);
  });
  afterAll(async () => {
    c?.disconnect();
    await redis?.stop();
  });

  const send = (producer: string, ttlMs: number, lines: Array<[number, string]>) =>
    c.eval(
      XADD_BATCH_SCRIPT,
      2,
      keys.logs(),
      keys.logProducer(producer),
      '100000',
      'update',
      String(ttlMs),
      ...lines.flatMap(([seq, line]) => [String(seq), line]),
    );
  const stored = async () =>
    ((await c.xrange(keys.logs(), '-', '+')) as Array<[string, string[]]>).map(
      ([, f]) => `${f[1]} ${f[3]}`,
    );

  it('adds a batch sent twice once, only the new part of an overlapping one, per producer', async () => {
    expect(
      await send('a', 60_000, [
        [1, '{"n":1}'],
        [2, '{"n":2}'],
      ]),
    ).toBe(2);
    expect(
      await send('a', 60_000, [
        [1, '{"n":1}'],
        [2, '{"n":2}'],
      ]),
    ).toBe(2);
    expect(
      await send('a', 60_000, [
        [2, '{"n":2}'],
        [3, '{"n":3}'],
      ]),
    ).toBe(2);
    // Another producer counts on its own.
    expect(await send('b', 60_000, [[1, '{"m":1}']])).toBe(1);
    expect(await stored()).toEqual([
      'update {"n":1}',
      'update {"n":2}',
      'update {"n":3}',
      'update {"m":1}',
    ]);
    expect(await c.get(keys.logProducer('a'))).toBe('3');
    const ttl = await c.pttl(keys.logProducer('a'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('keeps a large sequence number exact', async () => {
    const big = 2 ** 52 + 1;
    expect(await send('c', 60_000, [[big, '{"n":"big"}']])).toBe(1);
    expect(await c.get(keys.logProducer('c'))).toBe(String(big));
    expect(await send('c', 60_000, [[big, '{"n":"big"}']])).toBe(1);
    expect((await stored()).filter((l) => l.includes('big'))).toHaveLength(1);
  });
});
