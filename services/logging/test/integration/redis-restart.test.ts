import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildService,
  type ServiceProcess,
  startRedis,
  startServiceProcess,
  stopAll,
  type TestRedis,
  waitFor,
} from '@pa-connector/test-support';
import { LogProducer, runNumbers } from '../support/log-producer';

afterAll(stopAll);

const MIN_LINES = 30_000;
const RESTARTS = 4;

/**
 * Redis as the POP runs it (appendonly, everysec) restarted several times while a producer ships
 * a steady stream of numbered lines: the logging service's file must hold each exactly once.
 */
describe('log shipping across Redis restarts', () => {
  let redis: TestRedis;
  let dir: string;
  let logging: ServiceProcess;
  let producer: LogProducer;

  beforeAll(async () => {
    buildService('logging');
    redis = await startRedis({ appendOnly: true });
    dir = mkdtempSync(join(tmpdir(), 'pa-restart-'));
    logging = await startServiceProcess({
      service: 'logging',
      built: true,
      env: {
        PA_REDIS_URL: redis.url,
        PA_REDIS_PREFIX: redis.prefix,
        PA_LOG_DIR: dir,
        PA_HEARTBEAT_INTERVAL: '1s',
      },
    });
    producer = new LogProducer('update', { url: redis.url, prefix: redis.prefix });
  });
  afterAll(async () => {
    await producer?.close();
    await logging?.stop();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every line arrives exactly once', async () => {
    const started = performance.now();
    let restarting = true;
    const restarts = (async () => {
      for (let i = 0; i < RESTARTS; i++) {
        await new Promise((r) => setTimeout(r, 500));
        await redis.restart();
      }
      restarting = false;
    })();
    // A steady stream (a chunk of lines, a short pause) for as long as the restarts go on, so
    // they land mid-batch.
    while (restarting || producer.sent < MIN_LINES) {
      for (let i = 0; i < 100; i++) {
        producer.logger.info({ run: 'restarts', n: producer.sent++ }, 'a line of the stream');
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    await restarts;
    const LINES = producer.sent;
    expect(await producer.sink.flush(30_000)).toBe(true);
    const shippedMs = performance.now() - started;
    // Until every line is there, or nothing more came for a while (lost lines never will).
    let last = -1;
    let stableSince = performance.now();
    await waitFor(
      'the file to hold every line or stop growing',
      () => {
        const n = runNumbers(dir, 'update', 'restarts').length;
        if (n !== last) {
          last = n;
          stableSince = performance.now();
        }
        return n >= LINES
          ? performance.now() - stableSince > 1_000
          : performance.now() - stableSince > 10_000;
      },
      90_000,
      200,
    );
    const got = runNumbers(dir, 'update', 'restarts');
    const seen = new Map<number, number>();
    for (const n of got) seen.set(n, (seen.get(n) ?? 0) + 1);
    const duplicated = [...seen].filter(([, c]) => c > 1).length;
    const missing = LINES - seen.size;
    console.log(
      `${LINES} lines across ${RESTARTS} restarts: shipped in ${Math.round(shippedMs)} ms, ${got.length} in the file, ${duplicated} duplicated, ${missing} missing, ${producer.sink.stats().failedBatches} failed batches`,
    );
    expect({ duplicated, missing, total: got.length }).toEqual({
      duplicated: 0,
      missing: 0,
      total: LINES,
    });
  }, 240_000);
});
