import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildService,
  type ServiceProcess,
  startRedis,
  startServiceProcess,
  startTcpRelay,
  stopAll,
  type TcpRelay,
  type TestRedis,
  waitFor,
} from '@pa-connector/test-support';
import { LogProducer, runNumbers } from '../support/log-producer';

afterAll(stopAll);

interface ReadyBody {
  checks: Record<string, { ok: boolean }>;
}

/**
 * The logging service reads the stream through a relay that can hang; a producer ships numbered
 * lines straight to Redis meanwhile. While Redis hangs /ready says so; once it answers again
 * every line is in the file exactly once.
 */
describe('log ingest while Redis hangs', () => {
  let redis: TestRedis;
  let relay: TcpRelay;
  let dir: string;
  let logging: ServiceProcess;
  let producer: LogProducer;

  beforeAll(async () => {
    buildService('logging');
    redis = await startRedis();
    relay = await startTcpRelay({ host: redis.host, port: redis.port });
    dir = mkdtempSync(join(tmpdir(), 'pa-hang-'));
    logging = await startServiceProcess({
      service: 'logging',
      built: true,
      env: {
        PA_REDIS_URL: `redis://${relay.host}:${relay.port}`,
        PA_REDIS_PREFIX: redis.prefix,
        PA_LOG_DIR: dir,
        PA_HEARTBEAT_INTERVAL: '1s',
        PA_REDIS_COMMAND_TIMEOUT: '1s',
      },
    });
    await logging.waitForStatus('/ready', 200, 20_000);
    producer = new LogProducer('update', { url: redis.url, prefix: redis.prefix });
  });
  afterAll(async () => {
    relay?.resume();
    await producer?.close();
    await logging?.stop();
    await relay?.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const redisOk = async () => (await logging.get('/ready')).json<ReadyBody>().checks.redis?.ok;

  /** Lines of `run` logged one chunk at a time (not waiting for them to ship) for `ms`. */
  async function stream(run: string, ms: number): Promise<number> {
    const until = performance.now() + ms;
    let n = 0;
    while (performance.now() < until) {
      for (let i = 0; i < 50; i++) producer.logger.info({ run, n: n++ }, 'a line');
      await new Promise((r) => setTimeout(r, 20));
    }
    return n;
  }

  async function expectExactlyOnce(run: string, count: number): Promise<number> {
    const started = performance.now();
    expect(await producer.sink.flush(30_000)).toBe(true);
    await waitFor(
      `${count} lines of ${run}`,
      () => runNumbers(dir, 'update', run).length >= count,
      60_000,
    );
    const waited = performance.now() - started;
    await new Promise((r) => setTimeout(r, 500));
    expect(runNumbers(dir, 'update', run)).toEqual(Array.from({ length: count }, (_, i) => i));
    return waited;
  }

  it('relay paused: /ready reports Redis not ok, and the lines logged meanwhile arrive once it resumes', async () => {
    relay.pause();
    const pausedAt = performance.now();
    let count = 0;
    try {
      count = await stream('paused', 1_000);
      await waitFor(
        '/ready to report Redis not ok',
        async () => (await redisOk()) === false,
        20_000,
      );
      console.log(
        `relay paused: logging /ready said Redis not ok after ${Math.round(performance.now() - pausedAt)} ms`,
      );
    } finally {
      relay.resume();
    }
    const ms = await expectExactlyOnce('paused', count);
    console.log(`relay resumed: ${count} lines in the file ${Math.round(ms)} ms later, each once`);
    await waitFor('/ready to report Redis ok', async () => (await redisOk()) === true, 20_000);
  });

  it('redis-server stopped (SIGSTOP) mid-stream: every line arrives exactly once after SIGCONT', async () => {
    const streaming = stream('frozen', 9_000);
    await new Promise((r) => setTimeout(r, 500));
    redis.freeze();
    try {
      await waitFor(
        '/ready to report Redis not ok',
        async () => (await redisOk()) === false,
        20_000,
      );
      // Longer than the producer's command deadline: its batches in flight time out and are
      // sent again after SIGCONT, when Redis also runs the first copies it had buffered.
      await new Promise((r) => setTimeout(r, 6_000));
    } finally {
      redis.thaw();
    }
    const count = await streaming;
    await expectExactlyOnce('frozen', count);
    console.log(
      `redis-server stopped: ${count} lines, failed batches ${producer.sink.stats().failedBatches}`,
    );
  });
});
