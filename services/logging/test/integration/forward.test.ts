import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildService,
  freePort,
  type ServiceProcess,
  startRedis,
  startServiceProcess,
  stopAll,
  type TestRedis,
  waitFor,
} from '@pa-connector/test-support';
import { type EmulatorHarness, startEmulatorHarness } from '@pa-connector/test-support/emulator';
import { LogProducer, metricValue, readServiceLines } from '../support/log-producer';

afterAll(stopAll);

const HOSTNAME = 'pop-vm-logfwd';
const PRODUCER = 'producer';

/** `levels` repeated `times`: the lines a run logs. */
const mix = (times: number, levels: Array<'info' | 'warn' | 'error'>) =>
  Array.from({ length: times }, () => levels).flat();

describe('the built logging service forwards warn and error lines to the SSE through a real connector', () => {
  let redis: TestRedis;
  let emu: EmulatorHarness;
  let dir: string;
  let tokenFile: string;
  let connector: ServiceProcess;
  let connectorEnv: Record<string, string>;
  let logging: ServiceProcess;
  let connectorId: string;
  let producer: LogProducer;
  let logDir: string;

  const loggingEnv = (prefix: string, logs: string, extra: Record<string, string> = {}) => ({
    PA_REDIS_URL: redis.url,
    PA_REDIS_PREFIX: prefix,
    PA_HEARTBEAT_INTERVAL: '500ms',
    PA_HOSTNAME: HOSTNAME,
    PA_LOG_DIR: logs,
    PA_LOG_FORWARD: 'true',
    PA_CONNECTOR_URL: connector.url,
    PA_INTERNAL_API_TOKEN_FILE: tokenFile,
    PA_LOG_FORWARD_INTERVAL: '200ms',
    PA_LOG_FORWARD_BATCH: '25',
    ...extra,
  });

  beforeAll(async () => {
    buildService('logging');
    buildService('connector');
    redis = await startRedis();
    emu = await startEmulatorHarness();
    dir = mkdtempSync(join(tmpdir(), 'pa-logging-fwd-'));
    const file = (name: string, text: string) => {
      const p = join(dir, name);
      writeFileSync(p, text, { mode: 0o600 });
      return p;
    };
    tokenFile = file('internal-api-token', 'internal-api-secret-logs\n');
    connectorEnv = {
      PA_SSE_URLS: emu.sseUrl,
      PA_SSE_CA_FILE: emu.caCertPath,
      PA_PROVISIONING_KEY_FILE: file(
        'provisioning-key',
        `${await emu.admin.provisioningKey('logging-test')}\n`,
      ),
      PA_DATA_DIR: join(dir, 'connector'),
      PA_REDIS_URL: redis.url,
      PA_REDIS_PREFIX: redis.prefix,
      PA_HTTP_PORT: String(await freePort()),
      PA_HOSTNAME: HOSTNAME,
      PA_INTERNAL_API_TOKEN_FILE: tokenFile,
      PA_INTERNAL_API_ATTEMPTS: '2',
      PA_RETRY_INITIAL_DELAY: '100ms',
      PA_RETRY_MAX_DELAY: '500ms',
      PA_SSE_TIMEOUT: '3s',
      PA_HEARTBEAT_INTERVAL: '500ms',
      // No gateways here: this test is about the internal API only.
      PA_TUNNELS: '0',
    };
    connector = await startServiceProcess({ service: 'connector', built: true, env: connectorEnv });
    await connector.waitForStatus('/ready', 200, 30_000);
    connectorId = await waitFor(
      'the connector enrolled',
      async () => (await emu.admin.connectorIds())[0],
    );
    logDir = join(dir, 'logs');
    logging = await startServiceProcess({
      service: 'logging',
      built: true,
      env: loggingEnv(redis.prefix, logDir),
    });
    await logging.waitForStatus('/ready', 200);
    producer = new LogProducer(PRODUCER, { url: redis.url, prefix: redis.prefix });
  }, 240_000);
  afterAll(async () => {
    await producer?.close();
    await logging?.stop();
    await connector?.stop();
    await emu?.stop();
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The `n` of the entries of `run` the SSE holds, sorted, and their levels. */
  const atSse = async (run: string) => {
    const got = (
      (await emu.admin.connector(connectorId)).recentLogs as Array<Record<string, unknown>>
    ).filter((e) => e.run === run);
    return {
      entries: got,
      numbers: got.map((e) => Number(e.n)).sort((a, b) => a - b),
      levels: new Set(got.map((e) => e.level)),
    };
  };
  const inFiles = (run: string) =>
    readServiceLines(logDir, PRODUCER).filter((l) => l.run === run).length;
  const metric = async (name: string) =>
    metricValue((await logging.get('/metrics')).body, name) ?? Number.NaN;

  it('warn and error lines arrive, each once, with their fields; info lines are written to the file but not forwarded', async () => {
    const run = 'levels';
    const first = producer.sent;
    const levels = mix(10, ['info', 'warn', 'error']);
    const started = Date.now();
    await producer.logLevels(run, levels);
    const want = levels.map((l, i) => (l === 'info' ? -1 : first + i)).filter((n) => n >= 0);
    const got = await waitFor(
      'the warn and error lines at the SSE',
      async () => {
        const s = await atSse(run);
        return s.numbers.length >= want.length ? s : undefined;
      },
      20_000,
    );
    console.log(
      `${want.length} warn/error lines at the SSE ${Date.now() - started} ms after logging`,
    );
    // Sent in order: the last line arrived, so an info line before it would have too.
    expect(got.numbers).toEqual(want);
    expect(got.levels).toEqual(new Set(['warn', 'error']));
    expect(got.entries[0]).toMatchObject({
      service: PRODUCER,
      run,
      logId: expect.stringMatching(/^\d+-\d+$/),
      msg: expect.stringMatching(/^(warn|error) line \d+$/),
      time: expect.any(String),
    });
    expect(inFiles(run)).toBe(levels.length);
    // Counted when the connector's answer is back, a moment after the SSE has the lines.
    await waitFor(
      'the forwarded lines counted',
      async () => (await metric('pa_logging_forwarded_entries_total')) >= want.length,
      5_000,
    );
  }, 60_000);

  it('SSE down: batches fail and are retried, and every line arrives once it returns', async () => {
    const run = 'outage';
    const failuresBefore = await metric('pa_logging_forward_failures_total');
    await emu.admin.fault('logs', { mode: 'down' });
    const downAt = Date.now();
    let clearedAt = 0;
    const first = producer.sent;
    const levels = mix(20, ['warn', 'error']);
    try {
      await producer.logLevels(run, levels);
      await waitFor('the lines written to the file', () => inFiles(run) === levels.length, 20_000);
      await waitFor(
        'forwarding failures counted',
        async () => (await metric('pa_logging_forward_failures_total')) >= failuresBefore + 2,
        30_000,
      );
      expect((await atSse(run)).numbers).toEqual([]);
      expect(await metric('pa_logging_forward_buffered_entries')).toBeGreaterThanOrEqual(
        levels.length,
      );
    } finally {
      await emu.admin.clearFaults();
      clearedAt = Date.now();
    }
    const failures = (await metric('pa_logging_forward_failures_total')) - failuresBefore;
    const got = await waitFor(
      'every line of the outage at the SSE',
      async () => {
        const s = await atSse(run);
        return s.numbers.length >= levels.length ? s : undefined;
      },
      60_000,
    );
    console.log(
      `SSE down for ${clearedAt - downAt} ms: ${failures} failed attempts; all ${levels.length} lines at the SSE ${Date.now() - clearedAt} ms after it returned`,
    );
    expect(got.numbers).toEqual(Array.from({ length: levels.length }, (_, i) => first + i));
    const metrics = (await logging.get('/metrics')).body;
    expect(
      metricValue(metrics, 'pa_logging_forward_dropped_entries_total{reason="buffer_full"}') ?? 0,
    ).toBe(0);
  }, 120_000);

  it('connector down: lines wait in the buffer and arrive once it is back', async () => {
    const run = 'connector-down';
    const failuresBefore = await metric('pa_logging_forward_failures_total');
    // It may be answering a forward (SSE timeout 3 s, 2 attempts) when SIGTERM comes.
    const code = await connector.stop(15_000);
    if (code !== 0) {
      throw new Error(
        `connector exited ${code} on SIGTERM; its last lines:\n${connector.process.lines.slice(-30).join('\n')}`,
      );
    }
    const stoppedAt = Date.now();
    const first = producer.sent;
    const levels = mix(15, ['error']);
    await producer.logLevels(run, levels);
    await waitFor('the lines written to the file', () => inFiles(run) === levels.length, 20_000);
    await waitFor(
      'forwarding failures counted',
      async () => (await metric('pa_logging_forward_failures_total')) > failuresBefore,
      30_000,
    );
    // Same port and data directory: enrolled already, it comes back as it was.
    connector = await startServiceProcess({ service: 'connector', built: true, env: connectorEnv });
    const restartedAt = Date.now();
    const got = await waitFor(
      'every line logged while the connector was down at the SSE',
      async () => {
        const s = await atSse(run);
        return s.numbers.length >= levels.length ? s : undefined;
      },
      60_000,
    );
    console.log(
      `connector down for ${restartedAt - stoppedAt} ms; all ${levels.length} lines at the SSE ${Date.now() - restartedAt} ms after it was started again`,
    );
    expect(got.numbers).toEqual(Array.from({ length: levels.length }, (_, i) => first + i));
  }, 120_000);

  it('SIGTERM sends what is queued before the process exits', async () => {
    // A second instance on its own prefix whose period never comes during the test.
    const prefix = `${redis.prefix}flush:`;
    const logs = join(dir, 'logs-flush');
    const second = await startServiceProcess({
      service: 'logging',
      built: true,
      env: loggingEnv(prefix, logs, { PA_LOG_FORWARD_INTERVAL: '1h', PA_LOG_FORWARD_BATCH: '500' }),
    });
    const p2 = new LogProducer(PRODUCER, { url: redis.url, prefix });
    try {
      await second.waitForStatus('/ready', 200);
      const run = 'final-flush';
      await p2.logLevels(run, mix(5, ['error']));
      await waitFor(
        'the lines written to the file',
        () => readServiceLines(logs, PRODUCER).filter((l) => l.run === run).length === 5,
        20_000,
      );
      // The file write completes a moment before the forwarder is handed the lines.
      await waitFor(
        'the 5 lines queued for the SSE',
        async () =>
          metricValue(
            (await second.get('/metrics')).body,
            'pa_logging_forward_buffered_entries',
          ) === 5,
        5_000,
      );
      expect((await atSse(run)).numbers).toEqual([]);
      const stoppedAt = Date.now();
      expect(await second.stop()).toBe(0);
      console.log(`SIGTERM to exit with the final flush: ${Date.now() - stoppedAt} ms`);
      expect((await atSse(run)).numbers).toEqual([0, 1, 2, 3, 4]);
    } finally {
      await p2.close();
      await second.stop();
    }
  }, 60_000);
});
