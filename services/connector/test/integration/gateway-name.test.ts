import { join } from 'node:path';
import { DEFAULT_REGIONS } from '@pa-connector/sse-emulator';
import { startRedis, stopAll, type TestRedis, waitFor } from '@pa-connector/test-support';
import { type EmulatorHarness, startEmulatorHarness } from '@pa-connector/test-support/emulator';
import { type InProcessConnector, scratch, startInProcess, testEnv } from '../support/connector';
import { startDnsServer, type TestDnsServer } from '../support/dns-server';

afterAll(stopAll);

const GATEWAY = 'us-west.pa-wgcs.skyhigh.cloud';

/**
 * The gateway the operator named is resolved through the connector's own resolver before it
 * registers: a name DNS does not know (yet) is a clear line and a retry with backoff, and the
 * connector enrolls once the name resolves.
 */
describe('the gateway the operator named (PA_GATEWAY)', () => {
  let redis: TestRedis;
  let emu: EmulatorHarness;
  let tmp: ReturnType<typeof scratch>;
  let dns: TestDnsServer;
  let c: InProcessConnector;
  let known = false;

  beforeAll(async () => {
    redis = await startRedis();
    // The emulator's one PoP carries the name the operator gives (its gateways stay local).
    emu = await startEmulatorHarness({
      regions: DEFAULT_REGIONS.map((r) => ({ ...r, hostnames: [GATEWAY] })),
    });
    tmp = scratch();
    dns = await startDnsServer((name, type) =>
      known && name === GATEWAY && type === 'A' ? ['192.0.2.10'] : [],
    );
  });
  afterAll(async () => {
    await c?.stop();
    await dns?.close();
    await emu?.stop();
    await redis?.stop();
    tmp?.cleanup();
  });

  it('waits with a clear line while the name does not resolve, then enrolls', async () => {
    const { key } = await emu.admin.key(await emu.admin.group());
    c = await startInProcess(
      testEnv({
        sseUrls: [emu.sseUrl],
        caCertPath: emu.caCertPath,
        dataDir: join(tmp.dir, 'data'),
        redisUrl: redis.url,
        redisPrefix: redis.prefix,
        keyFile: tmp.file('key', key),
        extra: { PA_GATEWAY: GATEWAY, PA_DNS_SERVERS: dns.server },
      }),
    );
    const unresolved = () =>
      c.lines
        .map((l) => JSON.parse(l) as { msg: string })
        .filter((l) => l.msg.startsWith(`gateway ${GATEWAY} does not resolve: `));
    await waitFor('two tries', () => unresolved().length >= 2, 15_000);
    expect(c.service.controlPlane.state.phase).toBe('enrolling');
    expect(c.failures).toEqual([]);
    expect(await emu.admin.connectorIds()).toEqual([]);
    expect(dns.questions).toContain(`A ${GATEWAY}`);

    known = true;
    await waitFor('enrolled', () => c.service.controlPlane.state.phase === 'enrolled', 15_000);
    expect(c.failures).toEqual([]);
    expect(await emu.admin.connectorIds()).toHaveLength(1);
    // Registered for the PoP that name belongs to.
    const [id] = await emu.admin.connectorIds();
    expect((await emu.admin.connector(id as string)).region).toBe(DEFAULT_REGIONS[0]?.name);
  });
});
