import { join } from 'node:path';
import { startRedis, stopAll, type TestRedis, waitFor } from '@pa-connector/test-support';
import { type EmulatorHarness, startEmulatorHarness } from '@pa-connector/test-support/emulator';
import { type InProcessConnector, scratch, startInProcess, testEnv } from '../../support/connector';
import { startDnsServer, type TestDnsServer } from '../../support/dns-server';

afterAll(stopAll);

const SSE_NAME = 'sse.pa-lookup.test';

/**
 * The SSE reached by name: the name is resolved like every name the connector dials (c-ares,
 * PA_DNS_SERVERS, PA_DNS_TIMEOUT), never by getaddrinfo, which holds one of libuv's four pool
 * threads (shared with file writes) for as long as the system resolver retries. The name exists
 * only in this test's DNS server, so getaddrinfo could not find it at all.
 */
describe('the SSE client resolves the SSE by name through the connector resolver', () => {
  let redis: TestRedis;
  let emu: EmulatorHarness;
  let tmp: ReturnType<typeof scratch>;
  const dnsServers: TestDnsServer[] = [];
  const connectors: InProcessConnector[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    emu = await startEmulatorHarness({ tlsNames: [SSE_NAME] });
    tmp = scratch();
  });
  afterAll(async () => {
    for (const c of connectors) await c.stop();
    for (const s of dnsServers) await s.close();
    await emu?.stop();
    await redis?.stop();
    tmp?.cleanup();
  });

  const start = async (dns: TestDnsServer, name: string, extra: Record<string, string> = {}) => {
    const groupId = await emu.admin.group();
    const { key } = await emu.admin.key(groupId);
    const port = new URL(emu.sseUrl).port;
    const c = await startInProcess(
      testEnv({
        sseUrls: [`https://${SSE_NAME}:${port}`],
        caCertPath: emu.caCertPath,
        dataDir: join(tmp.dir, name),
        redisUrl: redis.url,
        redisPrefix: `${redis.prefix}${name}:`,
        keyFile: tmp.file(`${name}.key`, key),
        extra: { PA_DNS_SERVERS: dns.server, ...extra },
      }),
    );
    connectors.push(c);
    return c;
  };

  it('enrolls with an SSE whose name only the configured DNS server knows', async () => {
    const dns = await startDnsServer((n, t) => (n === SSE_NAME && t === 'A' ? ['127.0.0.1'] : []));
    dnsServers.push(dns);
    const c = await start(dns, 'known');
    await waitFor('enrolled', () => c.service.controlPlane.state.phase === 'enrolled', 20_000);
    expect(dns.questions).toContain(`A ${SSE_NAME}`);
    expect(c.failures).toEqual([]);
  });

  it('a DNS server that never answers: each SSE attempt fails at PA_DNS_TIMEOUT, naming the lookup', async () => {
    const dns = await startDnsServer(() => 'drop');
    dnsServers.push(dns);
    const started = performance.now();
    const c = await start(dns, 'silent', { PA_DNS_TIMEOUT: '500ms', PA_SSE_TIMEOUT: '30s' });
    const failed = await waitFor(
      'a failed enrollment attempt',
      () => c.lines.find((l) => l.includes('no DNS answer for')),
      10_000,
    );
    const ms = performance.now() - started;
    console.log(
      `silent DNS: the first SSE attempt failed after ${Math.round(ms)} ms (deadline 500 ms)`,
    );
    expect(failed).toContain(SSE_NAME);
    // Well inside the 30 s SSE timeout: the lookup's own deadline ended the attempt.
    expect(ms).toBeLessThan(5_000);
    expect(dns.questions.length).toBeGreaterThan(0);
    expect(c.service.controlPlane.state.phase).not.toBe('enrolled');
  });
});
