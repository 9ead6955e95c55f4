import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POP_SERVICE_NAMES, RedisKeys } from '@pa-connector/redis-contracts';
import {
  buildService,
  type ServiceProcess,
  startRedis,
  startServiceProcess,
  stopAll,
  type TestRedis,
  waitFor,
} from '@pa-connector/test-support';
import Redis from 'ioredis';
import { LogProducer, metricValue, readServiceLines, runNumbers } from '../support/log-producer';

afterAll(stopAll);

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('the log pipeline: services -> Redis stream -> logging -> files', () => {
  let redis: TestRedis;
  let root: string;
  beforeAll(async () => {
    buildService('logging');
    buildService('update');
    buildService('pop-manager');
    redis = await startRedis();
    root = mkdtempSync(join(tmpdir(), 'pa-pipeline-'));
  });
  afterAll(async () => {
    await redis.stop();
    rmSync(root, { recursive: true, force: true });
  });

  /** A fresh prefix and directory per test, so tests do not see each other's lines. */
  function setup(name: string, extra: Record<string, string> = {}) {
    const prefix = `${redis.prefix}${name}:`;
    const dir = join(root, name);
    // What every POP service reads; the log directory is the logging service's alone (a service
    // refuses a setting that is not its own).
    const common = {
      PA_REDIS_URL: redis.url,
      PA_REDIS_PREFIX: prefix,
      PA_HEARTBEAT_INTERVAL: '1s',
    };
    const env = { ...common, PA_LOG_DIR: dir, ...extra };
    const startLogging = () => startServiceProcess({ service: 'logging', env, built: true });
    return { prefix, dir, env, common, startLogging };
  }

  it('writes the lines of all four services to their own files, and real services ship theirs', async () => {
    const t = setup('four');
    const logging = await t.startLogging();
    const update = await startServiceProcess({ service: 'update', env: t.common, built: true });
    const popManager = await startServiceProcess({
      service: 'pop-manager',
      env: t.common,
      built: true,
    });
    const producers = POP_SERVICE_NAMES.map(
      (s) => new LogProducer(s, { url: redis.url, prefix: t.prefix }),
    );
    await Promise.all(producers.map((p) => p.produce('four', 500)));
    for (const s of POP_SERVICE_NAMES) {
      await waitFor(`500 lines in ${s}.log`, () => runNumbers(t.dir, s, 'four').length >= 500);
      expect(runNumbers(t.dir, s, 'four')).toEqual(range(500));
    }
    // The real processes' own lines arrived too, with their pid on the heartbeat side.
    for (const svc of [update, popManager, logging]) {
      await waitFor(`${svc.service} says listening`, () =>
        readServiceLines(t.dir, svc.service).some(
          (l) => l.msg === 'listening' && l.run === undefined,
        ),
      );
    }
    const names = readdirSync(t.dir).sort();
    expect(names).toEqual(['connector.log', 'logging.log', 'pop-manager.log', 'update.log']);
    for (const n of names) expect(statSync(join(t.dir, n)).mode & 0o777).toBe(0o640);

    const metrics = (await logging.get('/metrics')).body;
    expect(metricValue(metrics, 'pa_logging_written_lines_total{service="connector"}')).toBe(500);
    expect(metricValue(metrics, 'pa_logging_lag_entries')).toBe(0);
    for (const p of producers) await p.close();
    for (const s of [update, popManager, logging]) expect(await s.stop()).toBe(0);
  });

  it('loses no line and writes none twice when the logging service is SIGKILLed mid-stream', async () => {
    const t = setup('kill', { PA_LOG_READ_BATCH: '300' });
    const per = 6_000;
    const producers = POP_SERVICE_NAMES.map(
      (s) => new LogProducer(s, { url: redis.url, prefix: t.prefix }),
    );
    let logging: ServiceProcess = await t.startLogging();
    const producing = Promise.all(producers.map((p) => p.produce('kill', per, 200)));
    const kills: number[] = [];
    for (const threshold of [1_000, 3_500]) {
      await waitFor(
        `${threshold} connector lines written`,
        () => runNumbers(t.dir, 'connector', 'kill').length >= threshold,
        30_000,
        5,
      );
      logging.process.child.kill('SIGKILL');
      expect(await logging.process.exited).toBe('SIGKILL');
      kills.push(runNumbers(t.dir, 'connector', 'kill').length);
      logging = await t.startLogging();
    }
    await producing;
    for (const s of POP_SERVICE_NAMES) {
      await waitFor(
        `${per} lines in ${s}.log`,
        () => runNumbers(t.dir, s, 'kill').length >= per,
        60_000,
        200,
      );
    }
    // Killed while lines were flowing, not after they were all in.
    expect(kills.every((k) => k < per)).toBe(true);
    for (const s of POP_SERVICE_NAMES) {
      const ns = runNumbers(t.dir, s, 'kill');
      expect(ns.length).toBe(per);
      expect(ns).toEqual(range(per));
    }
    const ids = POP_SERVICE_NAMES.flatMap((s) => readServiceLines(t.dir, s).map((l) => l.logId));
    expect(new Set(ids).size).toBe(ids.length);
    const client = new Redis(redis.url);
    await waitFor('nothing pending', async () => {
      const [g] = (await client.xinfo('GROUPS', new RedisKeys(t.prefix).logs())) as unknown[][];
      return g && g[g.indexOf('pending') + 1] === 0;
    });
    client.disconnect();
    for (const p of producers) await p.close();
    expect(await logging.stop()).toBe(0);
  });

  it('rotates by size and applies retention by count, age and total size', async () => {
    const t = setup('rotate', {
      PA_LOG_FILE_MAX_SIZE: '4KiB',
      PA_LOG_KEEP_FILES: '3',
      PA_LOG_MAX_AGE: '1h',
      PA_LOG_MAX_TOTAL_SIZE: '1GiB',
    });
    const logging = await t.startLogging();
    const p = new LogProducer('connector', { url: redis.url, prefix: t.prefix });
    await p.produce('rot', 400);
    await waitFor('all 400 lines', () => runNumbers(t.dir, 'connector', 'rot').includes(399));
    const rotated = () => readdirSync(t.dir).filter((n) => n.startsWith('connector.log.'));
    await waitFor('count retention', () => rotated().length === 3);
    for (const n of readdirSync(t.dir))
      expect(statSync(join(t.dir, n)).size).toBeLessThanOrEqual(4096);
    // The newest lines survive retention, in order.
    const kept = runNumbers(t.dir, 'connector', 'rot');
    expect(kept).toEqual(range(400).slice(400 - kept.length));
    let metrics = (await logging.get('/metrics')).body;
    expect(
      metricValue(metrics, 'pa_logging_rotated_files_total{service="connector"}'),
    ).toBeGreaterThan(10);
    expect(metricValue(metrics, 'pa_logging_deleted_files_total{reason="count"}')).toBeGreaterThan(
      5,
    );

    // Age: the rotated files are made a day old; the next rotation's retention removes them.
    const day = new Date(Date.now() - 86_400_000);
    const old = rotated();
    for (const n of old) utimesSync(join(t.dir, n), day, day);
    await p.produce('rot', 40);
    await waitFor('aged files gone', () => old.every((n) => !rotated().includes(n)));
    metrics = (await logging.get('/metrics')).body;
    expect(metricValue(metrics, 'pa_logging_deleted_files_total{reason="age"}')).toBeGreaterThan(0);
    await p.close();
    expect(await logging.stop()).toBe(0);

    // Total size: 12KiB for everything keeps the active file and about two rotated ones.
    const u = setup('rotate-size', {
      PA_LOG_FILE_MAX_SIZE: '4KiB',
      PA_LOG_KEEP_FILES: '100',
      PA_LOG_MAX_TOTAL_SIZE: '12KiB',
    });
    const second = await u.startLogging();
    const q = new LogProducer('update', { url: redis.url, prefix: u.prefix });
    await q.produce('size', 300);
    await waitFor('all 300 lines', () => runNumbers(u.dir, 'update', 'size').includes(299));
    await waitFor('size retention', async () => {
      const m = (await second.get('/metrics')).body;
      return (metricValue(m, 'pa_logging_deleted_files_total{reason="size"}') ?? 0) > 0;
    });
    const total = () => readdirSync(u.dir).reduce((s, n) => s + statSync(join(u.dir, n)).size, 0);
    // Retention runs after each rotation; the active file may have grown since by one file's worth.
    expect(total()).toBeLessThanOrEqual(12 * 1024 + 4096);
    await q.close();
    expect(await second.stop()).toBe(0);
  });

  it('answers queries and streams a live tail that starts with a backlog', async () => {
    const t = setup('tail');
    const logging = await t.startLogging();
    const p = new LogProducer('connector', { url: redis.url, prefix: t.prefix });
    await p.produce('tail', 10);
    await waitFor('10 lines', () => runNumbers(t.dir, 'connector', 'tail').length === 10);

    const q = await logging.get('/logs?service=connector&q=line%207%20of&limit=5');
    expect(q.json()).toMatchObject({ count: 1, entries: [{ n: 7, service: 'connector' }] });

    const res = await fetch(`${logging.url}/logs/tail?service=connector&backlog=3`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const got: Array<Record<string, unknown>> = [];
    let partial = '';
    const readUntil = async (count: number) => {
      while (got.length < count) {
        const { value, done } = await reader.read();
        if (done) throw new Error('tail ended');
        const parts = (partial + Buffer.from(value).toString('utf8')).split('\n');
        partial = parts.pop() ?? '';
        for (const l of parts) if (l) got.push(JSON.parse(l));
      }
    };
    await readUntil(3);
    expect(got.map((l) => l.n)).toEqual([7, 8, 9]);
    await p.produce('tail', 5);
    await readUntil(8);
    expect(got.map((l) => l.n)).toEqual([7, 8, 9, 10, 11, 12, 13, 14]);
    // Stopping the service ends open tails rather than waiting for them.
    expect(await logging.stop()).toBe(0);
    await reader.cancel().catch(() => undefined);
    await p.close();
  });
});
