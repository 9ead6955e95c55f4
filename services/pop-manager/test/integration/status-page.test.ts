import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { encodeHeartbeat, RedisKeys } from '@pa-connector/redis-contracts';
import {
  buildService,
  repoRoot,
  requireBinary,
  type ServiceProcess,
  startRedis,
  startServiceProcess,
  stopAll,
  type TestRedis,
} from '@pa-connector/test-support';
import Redis from 'ioredis';
import { type Browser, chromium, type Page } from 'playwright-core';
import { logLine, writeConnectorState } from '../support/pop-state';

afterAll(stopAll);

/** Rows of a table on the page as arrays of cell texts. */
async function rowsOf(page: Page, table: string): Promise<string[][]> {
  const rows = await page.locator(`#${table} tbody tr`).all();
  return Promise.all(
    rows.map(async (r) => (await r.locator('td').allTextContents()).map((t) => t.trim())),
  );
}

describe('the status page in headless Chromium', () => {
  let redis: TestRedis;
  let client: Redis;
  let pm: ServiceProcess;
  let browser: Browser;

  beforeAll(async () => {
    const executablePath = requireBinary('chromium', 'chromium');
    buildService('pop-manager');
    redis = await startRedis();
    const keys = new RedisKeys(redis.prefix);
    client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    // The connector's state, a connector heartbeat that stays fresh for the test, and an error.
    await writeConnectorState(client, keys);
    const now = new Date().toISOString();
    await client.hset(
      keys.heartbeat('connector'),
      encodeHeartbeat({
        service: 'connector',
        version: '1.0.7',
        started: now,
        updated: now,
        status: 'ready',
        pid: 4242,
        host: 'pop-vm-page',
      }),
    );
    await client.pexpire(keys.heartbeat('connector'), 600_000);
    await logLine(client, keys, 'connector', {
      level: 'error',
      time: now,
      component: 'catalog',
      msg: 'catalog sync failed',
      err: { message: 'connect ECONNREFUSED 127.0.0.1:8443' },
    });
    pm = await startServiceProcess({
      service: 'pop-manager',
      built: true,
      env: {
        PA_REDIS_URL: redis.url,
        PA_REDIS_PREFIX: redis.prefix,
        PA_HEARTBEAT_INTERVAL: '500ms',
        PA_HOSTNAME: 'pop-vm-page',
        PA_CONNECTOR_URL: 'http://127.0.0.1:9',
      },
    });
    await pm.waitForStatus('/ready', 200);
    browser = await chromium.launch({
      executablePath,
      // Chromium's sandbox cannot run as root; the page is our own, on loopback.
      args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await pm?.stop();
    client?.disconnect();
    await redis?.stop();
  });

  it('renders services, tunnels, apps, versions and recent errors from /status, with no request elsewhere', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    const started = Date.now();
    await page.goto(pm.url);
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 15_000 });
    console.log(`status page rendered ${Date.now() - started} ms after navigation`);

    expect(await page.textContent('#hostname')).toBe('pop-vm-page');
    expect(await page.title()).toBe('pop-vm-page — POP status');

    const services = await rowsOf(page, 'services');
    expect(services.map((r) => r.slice(0, 3))).toEqual([
      ['logging', 'down', '–'],
      ['connector', 'up', '1.0.7'],
      ['update', 'down', '–'],
      ['pop-manager', 'up', expect.stringMatching(/^\d+\.\d+\.\d+/)],
    ]);
    expect(services[0]?.[6]).toMatch(/^no heartbeat/);
    expect(services[1]?.[5]).toBe('4242');
    expect(services[3]?.[5]).toBe(String(pm.process.pid));

    const tunnels = await rowsOf(page, 'tunnels');
    expect(tunnels.map((r) => [r[0], r[1], r[2], r[3], r[4], r[7], r[8]])).toEqual([
      ['t1', 'connected', 'local-gw1', '10.231.0.1:1194/udp', '10.231.1.7', '1', ''],
      [
        't2',
        'reconnecting',
        'local-gw2',
        '[fd00::2]:1194/tcp',
        '–',
        '3',
        'ping-restart: no packets for 3 s',
      ],
    ]);
    expect(tunnels[0]?.[6]).toBe('121 KiB / 64 KiB');

    const apps = await rowsOf(page, 'apps');
    expect(apps.map((r) => r.slice(0, 4))).toEqual([
      ['Team wiki wiki', 'wiki.corp.example:443', 'unhealthy', '1/2 up'],
      ['Git git', 'git.corp.example:22', 'down', '0/1 up'],
    ]);

    const errors = await rowsOf(page, 'errors');
    expect(errors.map((r) => r.slice(1))).toEqual([
      ['connector', 'error', '[catalog] catalog sync failed — connect ECONNREFUSED 127.0.0.1:8443'],
    ]);

    expect(await page.textContent('#overall')).toBe(
      '2 services not up, 1 tunnel not connected, 1 app down',
    );
    expect(await page.$$eval('#host dt', (d) => d.map((x) => x.textContent))).toEqual([
      expect.stringMatching(/^CPU \(\d+ cores\)$/),
      'Memory',
      'Disk /',
      'Load 1 / 5 / 15 min',
      'Host uptime',
    ]);

    // Every request went to pop-manager itself: no CDN, nothing external.
    expect(requests.length).toBeGreaterThanOrEqual(4);
    expect(requests.every((u) => u.startsWith(`${pm.url}/`))).toBe(true);
    expect(problems).toEqual([]);

    const dir = join(repoRoot(), 'test-artifacts');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'pop-manager-status-page.png');
    await page.screenshot({ path: file, fullPage: true });
    console.log(`screenshot: ${file}`);
    await page.close();
  });

  it('refreshes by itself: a service that says it is stopping turns stale on the open page', async () => {
    const page = await browser.newPage();
    await page.goto(pm.url);
    await page.waitForSelector('body[data-loaded="true"]');
    const keys = new RedisKeys(redis.prefix);
    await client.hset(keys.heartbeat('connector'), { status: 'stopping' });
    const started = Date.now();
    await page
      .locator('#services tr[data-service="connector"] td:nth-child(2)', { hasText: /^stale$/ })
      .waitFor({ timeout: 15_000 });
    console.log(`page showed the stopping service as stale ${Date.now() - started} ms later`);
    expect(await page.textContent('#services tr[data-service="connector"] td:nth-child(7)')).toBe(
      'it said it is stopping',
    );
    await page.close();
  });
});
