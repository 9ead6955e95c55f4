import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, decodeLogStreamEntry } from '@pa-connector/logger';
import { RedisKeys } from '@pa-connector/redis-contracts';
import { startRedis, stopAll, type TestRedis, waitFor } from '@pa-connector/test-support';
import Redis from 'ioredis';
import { LogStore } from '../../src/files/log-store';
import {
  LOG_CONSUMER_GROUP,
  readGroupInfo,
  StreamConsumer,
} from '../../src/ingest/stream-consumer';

afterAll(stopAll);

const silent = createLogger({ service: 'logging', level: 'silent' });
const policy = { keepFiles: 10, maxAgeMs: 86_400_000, maxTotalBytes: 1e9 };

describe('StreamConsumer against a real Redis', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis.stop());

  it('takes over what a crashed consumer read: writes what is missing, skips what it wrote, acks all', async () => {
    const prefix = `${redis.prefix}takeover:`;
    const key = new RedisKeys(prefix).logs();
    const client = new Redis(redis.url);
    const dir = mkdtempSync(join(tmpdir(), 'pa-consumer-'));
    for (let i = 0; i < 10; i++) {
      await client.xadd(key, '*', 'service', i % 2 ? 'update' : 'connector', 'line', `{"n":${i}}`);
    }
    // A previous instance, under another name, read all ten and wrote the first four, then died.
    await client.xgroup('CREATE', key, LOG_CONSUMER_GROUP, '0');
    const read = (await client.xreadgroup(
      'GROUP',
      LOG_CONSUMER_GROUP,
      'old-instance',
      'COUNT',
      10,
      'STREAMS',
      key,
      '>',
    )) as Array<[string, Array<[string, string[]]>]>;
    const entries = (read[0]?.[1] ?? []).flatMap(([id, f]) => decodeLogStreamEntry(id, f) ?? []);
    expect(entries).toHaveLength(10);
    const crashed = new LogStore({ dir, maxFileBytes: 1e6, retention: policy });
    await crashed.writeBatch(entries.slice(0, 4));
    await crashed.close();
    // Two more arrive while nobody reads.
    for (let i = 10; i < 12; i++) {
      await client.xadd(key, '*', 'service', 'connector', 'line', `{"n":${i}}`);
    }

    const store = new LogStore({ dir, maxFileBytes: 1e6, retention: policy });
    const seen = { claimed: 0, fresh: 0, duplicates: 0, written: 0 };
    const consumerRedis = new Redis(redis.url);
    const consumer = new StreamConsumer({
      redis: consumerRedis,
      streamKey: key,
      consumer: 'logging',
      batchSize: 3,
      blockMs: 100,
      write: (e) => store.writeBatch(e),
      logger: silent,
      observer: {
        read: (n, claimed) => {
          if (claimed) seen.claimed += n;
          else seen.fresh += n;
        },
        batch: (r) => {
          seen.duplicates += r.duplicates;
          for (const w of r.written.values()) seen.written += w.lines;
        },
        trimmed: () => undefined,
        error: () => undefined,
      },
    });
    await waitFor('ready', () => consumerRedis.status === 'ready');
    consumer.start();
    await waitFor('all written', () => seen.written === 8);
    await waitFor(
      'all acknowledged',
      async () => (await readGroupInfo(client, key))?.pending === 0,
    );
    expect(seen).toEqual({ claimed: 10, fresh: 2, duplicates: 4, written: 8 });
    const ns = (s: string) =>
      readFileSync(join(dir, `${s}.log`), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).n);
    expect(ns('connector')).toEqual([0, 2, 4, 6, 8, 10, 11]);
    expect(ns('update')).toEqual([1, 3, 5, 7, 9]);
    expect(consumer.check().check()).toBe(true);
    expect(await readGroupInfo(client, key)).toEqual({ lag: 0, pending: 0 });
    await consumer.stop();
    await store.close();
    consumerRedis.disconnect();
    client.disconnect();
  });

  it('writes a backlog in groups, reads the next group while one is written, and a stop writes what it read ahead', async () => {
    const key = new RedisKeys(`${redis.prefix}ahead:`).logs();
    const client = new Redis(redis.url);
    for (let i = 0; i < 2_500; i++) {
      await client.xadd(key, '*', 'service', 'x', 'line', `{"n":${i}}`);
    }
    const dir = mkdtempSync(join(tmpdir(), 'pa-consumer-'));
    const store = new LogStore({ dir, maxFileBytes: 1e7, retention: policy });
    const groups: number[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const start = (batchSize: number) => {
      const consumerRedis = new Redis(redis.url);
      const consumer = new StreamConsumer({
        redis: consumerRedis,
        streamKey: key,
        consumer: 'logging',
        batchSize,
        blockMs: 100,
        write: async (e) => {
          groups.push(e.length);
          // The first group's write waits: meanwhile the next group is read.
          if (groups.length === 1) await held;
          return store.writeBatch(e);
        },
        logger: silent,
      });
      consumer.start();
      return { consumer, consumerRedis };
    };
    const first = start(100);
    await waitFor('the next group read ahead', async () => {
      return (await readGroupInfo(client, key))?.pending === 2_000;
    });
    const stopped = first.consumer.stop();
    release();
    await stopped;
    first.consumerRedis.disconnect();
    // Ten reads of 100 per group; what was read ahead was written before the stop ended.
    expect(groups).toEqual([1_000, 1_000]);
    expect(await readGroupInfo(client, key)).toEqual({ lag: 500, pending: 0 });

    const second = start(100);
    await waitFor('the rest written', async () => {
      return (await readGroupInfo(client, key))?.lag === 0 && groups.length === 3;
    });
    await second.consumer.stop();
    second.consumerRedis.disconnect();
    await store.close();
    expect(groups).toEqual([1_000, 1_000, 500]);
    const ns = readFileSync(join(dir, 'x.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l).n);
    expect(ns).toEqual(Array.from({ length: 2_500 }, (_, i) => i));
    client.disconnect();
  });

  it('counts pending entries that were trimmed from the stream before they could be written', async () => {
    const key = new RedisKeys(`${redis.prefix}trim:`).logs();
    const client = new Redis(redis.url);
    for (let i = 0; i < 5; i++) await client.xadd(key, '*', 'service', 'x', 'line', `{"n":${i}}`);
    await client.xgroup('CREATE', key, LOG_CONSUMER_GROUP, '0');
    await client.xreadgroup('GROUP', LOG_CONSUMER_GROUP, 'old', 'COUNT', 5, 'STREAMS', key, '>');
    await client.xtrim(key, 'MAXLEN', 2);
    let trimmed = 0;
    const written: number[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'pa-consumer-'));
    const store = new LogStore({ dir, maxFileBytes: 1e6, retention: policy });
    const consumerRedis = new Redis(redis.url);
    const consumer = new StreamConsumer({
      redis: consumerRedis,
      streamKey: key,
      consumer: 'logging',
      batchSize: 10,
      blockMs: 100,
      write: async (e) => {
        const r = await store.writeBatch(e);
        written.push(...e.map((x) => JSON.parse(x.line).n));
        return r;
      },
      logger: silent,
      observer: {
        read: () => undefined,
        batch: () => undefined,
        trimmed: (n) => {
          trimmed += n;
        },
        error: () => undefined,
      },
    });
    await waitFor('ready', () => consumerRedis.status === 'ready');
    consumer.start();
    await waitFor('survivors written', () => written.length === 2);
    expect(written).toEqual([3, 4]);
    expect(trimmed).toBe(3);
    await consumer.stop();
    await store.close();
    consumerRedis.disconnect();
    client.disconnect();
  });

  it('re-creates its group when Redis lost it (restarted without persistence)', async () => {
    const key = new RedisKeys(`${redis.prefix}nogroup:`).logs();
    const client = new Redis(redis.url);
    const dir = mkdtempSync(join(tmpdir(), 'pa-consumer-'));
    const store = new LogStore({ dir, maxFileBytes: 1e6, retention: policy });
    const consumerRedis = new Redis(redis.url);
    let written = 0;
    let errors = 0;
    const consumer = new StreamConsumer({
      redis: consumerRedis,
      streamKey: key,
      consumer: 'logging',
      batchSize: 10,
      blockMs: 50,
      write: async (e) => {
        const r = await store.writeBatch(e);
        written += e.length;
        return r;
      },
      logger: silent,
      sleep: () => new Promise((r) => setTimeout(r, 10)),
      observer: {
        read: () => undefined,
        batch: () => undefined,
        trimmed: () => undefined,
        error: () => {
          errors++;
        },
      },
    });
    await waitFor('ready', () => consumerRedis.status === 'ready');
    consumer.start();
    await client.xadd(key, '*', 'service', 'x', 'line', '{"n":0}');
    await waitFor('first written', () => written === 1);
    await client.del(key);
    await client.xadd(key, '*', 'service', 'x', 'line', '{"n":1}');
    await waitFor('written after the group came back', () => written === 2);
    expect(errors).toBeGreaterThan(0);
    await consumer.stop();
    await store.close();
    consumerRedis.disconnect();
    client.disconnect();
  });
});
