import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  freePort,
  startRedis,
  stopAll,
  type TestRedis,
  type TrackedProcess,
  waitFor,
} from '@pa-connector/test-support';
import { type EmulatorHarness, startEmulatorHarness } from '@pa-connector/test-support/emulator';
import { scratch, spawnConnector, testEnv } from '../support/connector';

afterAll(stopAll);

const ROOT = join(__dirname, '../../../..');
const YEAR_SECONDS = 365 * 86_400;

/** Renewals the connector counted, whatever their result. */
function renewals(metrics: string): number {
  let total = 0;
  for (const m of metrics.matchAll(/^pa_connector_certificate_renewals_total\{[^}]*\} (\d+)/gm))
    total += Number(m[1]);
  return total;
}

describe('a connector whose certificate is valid for a year', () => {
  let redis: TestRedis;
  let emu: EmulatorHarness;
  let tmp: ReturnType<typeof scratch>;
  let p: TrackedProcess;
  let url: string;
  beforeAll(async () => {
    execFileSync('pnpm', ['exec', 'tsc', '-b', 'services/connector'], {
      cwd: ROOT,
      stdio: 'pipe',
      timeout: 170_000,
    });
    redis = await startRedis();
    emu = await startEmulatorHarness({ certLifetimeSeconds: YEAR_SECONDS });
    tmp = scratch();
  }, 180_000);
  afterAll(async () => {
    await p?.stop();
    await emu?.stop();
    await redis?.stop();
    tmp?.cleanup();
  });

  it('schedules one renewal months ahead and does not renew in the meantime', async () => {
    const groupId = await emu.admin.group();
    const { key } = await emu.admin.key(groupId);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    p = spawnConnector(
      testEnv({
        sseUrls: [emu.sseUrl],
        caCertPath: emu.caCertPath,
        dataDir: join(tmp.dir, 'data'),
        redisUrl: redis.url,
        redisPrefix: redis.prefix,
        keyFile: tmp.file('key', `${key}\n`),
        extra: { PA_HTTP_PORT: String(port) },
      }),
    );
    await p.waitForLine(/"msg":"enrolled"/, 20_000);
    const scheduled = await p.waitForLine(/"msg":"certificate renewal scheduled"/, 10_000);
    const renewAt = Date.parse(JSON.parse(scheduled).renewAt);
    // Two thirds of a year from now, give or take the renewal's jitter.
    expect(renewAt - Date.now()).toBeGreaterThan(200 * 86_400_000);

    const connector = ((await emu.admin.connectors()) as Array<{ id: string }>)[0] as {
      id: string;
    };
    const serial = (await emu.admin.connector(connector.id)).certificate.serial;
    await waitFor('the metrics endpoint', async () => (await fetch(`${url}/metrics`)).ok, 10_000);

    // Several seconds of a running connector: a renewal timer that overflowed would fire
    // within a millisecond and then again on every success.
    await new Promise((r) => setTimeout(r, 5_000));
    expect(renewals(await (await fetch(`${url}/metrics`)).text())).toBe(0);
    expect((await emu.admin.connector(connector.id)).certificate.serial).toBe(serial);
    expect(p.lines.filter((l) => l.includes('"msg":"certificate renewal scheduled"'))).toHaveLength(
      1,
    );
    expect(p.lines.some((l) => l.includes('TimeoutOverflowWarning'))).toBe(false);
  });
});
