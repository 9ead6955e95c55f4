import { join } from 'node:path';
import { InternalApiRoutes } from '@pa-connector/sse-api';
import {
  startRedis,
  startTcpRelay,
  stopAll,
  type TcpRelay,
  type TestRedis,
  waitFor,
} from '@pa-connector/test-support';
import { type EmulatorHarness, startEmulatorHarness } from '@pa-connector/test-support/emulator';
import { type InProcessConnector, scratch, startInProcess, testEnv } from '../../support/connector';

afterAll(stopAll);

interface RequestLine {
  msg: string;
  endpoint: string;
  url: string;
  outcome: string;
}

/**
 * A connector given one URL per purpose, each a real TLS endpoint of its own: a TCP relay per
 * purpose in front of the emulator's single listener (the TLS session, client certificate
 * included, runs end to end through it). Every request must reach its purpose's relay.
 */
describe('each purpose of the SSE API at its own URL', () => {
  let redis: TestRedis;
  let emu: EmulatorHarness;
  let tmp: ReturnType<typeof scratch>;
  let c: InProcessConnector;
  const relays: Record<string, TcpRelay> = {};
  const urlOf = (r: TcpRelay, host: string) => `https://${host}:${r.port}/`;
  let host: string;

  beforeAll(async () => {
    redis = await startRedis();
    tmp = scratch();
    emu = await startEmulatorHarness();
    const sse = new URL(emu.sseUrl);
    host = sse.hostname;
    const target = { host: host.replace(/^\[|\]$/g, ''), port: Number(sse.port) };
    for (const name of ['registration', 'tokens', 'catalog', 'collector1', 'collector2']) {
      relays[name] = await startTcpRelay(target, target.host);
    }
    const r = relays as Record<string, TcpRelay>;
    const { key } = await emu.admin.key(await emu.admin.group());
    c = await startInProcess(
      testEnv({
        // No single listener: every purpose has its own setting.
        sseUrls: [],
        caCertPath: emu.caCertPath,
        dataDir: join(tmp.dir, 'data'),
        redisUrl: redis.url,
        redisPrefix: redis.prefix,
        keyFile: tmp.file('key', key),
        extra: {
          PA_REGISTRATION_URL: urlOf(r.registration as TcpRelay, host),
          PA_TOKEN_URL: urlOf(r.tokens as TcpRelay, host),
          PA_CATALOG_URL: urlOf(r.catalog as TcpRelay, host),
          PA_COLLECTOR_URLS: [r.collector1, r.collector2]
            .map((x) => urlOf(x as TcpRelay, host))
            .join(','),
          PA_INTERNAL_API_ATTEMPTS: '1',
        },
      }),
    );
    await waitFor('ready', async () => (await fetch(`${c.url}/ready`)).status === 200, 20_000);
  });
  afterAll(async () => {
    await c?.stop();
    for (const r of Object.values(relays)) await r.close();
    await emu?.stop();
    await redis?.stop();
    tmp?.cleanup();
  });

  const requests = (from = 0): RequestLine[] =>
    c.lines
      .slice(from)
      .map((l) => JSON.parse(l) as RequestLine)
      .filter((l) => l.msg === 'SSE request');
  const relay = (name: string) => relays[name] as TcpRelay;
  const popStatus = (marker: string) =>
    fetch(`${c.url}${InternalApiRoutes.popStatus}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hostname: 'pop-vm-1', reportedAt: new Date().toISOString(), marker }),
    });

  it('enrolled through the registration URL, got its token from the token URL, its catalog from the catalog URL', async () => {
    await waitFor('a catalog sync', async () => requests().some((l) => l.endpoint === 'catalog'));
    const byEndpoint = new Map<string, Set<string>>();
    for (const l of requests()) {
      byEndpoint.set(l.endpoint, (byEndpoint.get(l.endpoint) ?? new Set()).add(l.url));
    }
    expect([...(byEndpoint.get('register') ?? [])]).toEqual([urlOf(relay('registration'), host)]);
    expect([...(byEndpoint.get('token') ?? [])]).toEqual([urlOf(relay('tokens'), host)]);
    expect([...(byEndpoint.get('catalog') ?? [])]).toEqual([urlOf(relay('catalog'), host)]);
    expect(requests().every((l) => l.outcome === 'ok')).toBe(true);
  });

  it('spreads POP status over both collectors, and loses nothing when one goes down', async () => {
    const before = c.lines.length;
    for (let i = 0; i < 4; i++) expect((await popStatus(`spread-${i}`)).status).toBe(202);
    const spread = requests(before).filter((l) => l.endpoint === 'popStatus');
    expect(spread.map((l) => l.url).sort()).toEqual(
      [
        urlOf(relay('collector1'), host),
        urlOf(relay('collector1'), host),
        urlOf(relay('collector2'), host),
        urlOf(relay('collector2'), host),
      ].sort(),
    );

    const down = urlOf(relay('collector1'), host);
    await relay('collector1').close();
    const after = c.lines.length;
    for (let i = 0; i < 4; i++) expect((await popStatus(`down-${i}`)).status).toBe(202);
    const view = await emu.admin.connector(c.service.controlPlane.identity?.connectorId as string);
    expect(view.popStatus).toMatchObject({ body: { marker: 'down-3' } });
    const lines = c.lines.slice(after).map((l) => JSON.parse(l) as { msg: string; url?: string });
    expect(lines.some((l) => l.msg.startsWith(`collector ${down} is down; set aside`))).toBe(true);
    const accepted = requests(after).filter(
      (l) => l.endpoint === 'popStatus' && l.outcome === 'ok',
    );
    expect(accepted.map((l) => l.url)).toEqual(Array(4).fill(urlOf(relay('collector2'), host)));

    const metrics = await (await fetch(`${c.url}/metrics`)).text();
    expect(metrics).toContain(`pa_connector_sse_collector_up{url="${down}"} 0`);
    expect(metrics).toContain(
      `pa_connector_sse_collector_up{url="${urlOf(relay('collector2'), host)}"} 1`,
    );
  });
});
