import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  gatewaysFromIdentity,
  loadGateways,
  parseGatewayList,
} from '../../../src/diagnose/gateways';
import { readConnectionSettings } from '../../../src/diagnose/settings';

describe('connection settings', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pa-diag-settings-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads SSE URLs, CA, proxy file and no-proxy; the proxy origin carries no credentials', async () => {
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n');
    const pf = join(dir, 'proxy');
    writeFileSync(pf, 'http://alice:s3cret@proxy.corp:3128\n', { mode: 0o600 });
    const s = await readConnectionSettings({
      PA_SSE_URLS: 'https://a.example:8443, https://b.example',
      PA_SSE_CA_FILE: ca,
      PA_PROXY_URL_FILE: pf,
      PA_NO_PROXY: '.corp',
      PA_REGION: 'eu-1',
    });
    expect(s.sseUrls.map(String)).toEqual(['https://a.example:8443/', 'https://b.example/']);
    expect(s.proxy).toMatchObject({
      origin: 'http://proxy.corp:3128',
      host: 'proxy.corp',
      port: 3128,
    });
    expect(s.proxy?.authorization).toMatch(/^Basic /);
    expect(s.noProxy.matches('x.corp')).toBe(true);
  });

  it("derives every endpoint from the cloud's domain when no URL is set", async () => {
    const s = await readConnectionSettings({ PA_CLOUD_DOMAIN: 'skyhigh.cloud' });
    expect(s.sseUrls.map(String)).toEqual([
      'https://wgcs.skyhigh.cloud:8080/',
      'https://iam.skyhigh.cloud/',
      'https://wgcs.skyhigh.cloud/',
      'https://status.skyhigh.cloud/',
    ]);
    expect(s.endpoints.registry).toEqual({ host: 'registry.skyhigh.cloud', port: 443 });
  });

  it.each([
    [{ PA_SSE_URLS: 'http://a' }, 'PA_SSE_URLS: must use https'],
    [{ PA_TOKEN_URL: 'http://iam.a' }, 'PA_TOKEN_URL: must use https'],
    [{ PA_GATEWAY: 'gw a' }, 'PA_GATEWAY: must be a gateway'],
    [
      { PA_SSE_URLS: 'https://a', PA_SSE_CA_FILE: '/nonexistent/ca' },
      'PA_SSE_CA_FILE: cannot read /nonexistent/ca (ENOENT)',
    ],
    [{ PA_SSE_URLS: 'https://a', PA_PROXY_URL: 'http://u:hunter2@p:1' }, 'carries credentials'],
    [{ PA_SSE_URLS: 'https://a', PA_PROXY_URL: 'http://p:1', PA_PROXY_URL_FILE: '/x' }, 'not both'],
    [{ PA_SSE_URLS: 'https://a', PA_NO_PROXY: '10.0.0.0/99' }, 'PA_NO_PROXY'],
  ])('%j is refused: %s', async (env, message) => {
    const err = await readConnectionSettings(env).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(message);
    expect((err as Error).message).not.toContain('hunter2');
  });
});

describe('gateway sources', () => {
  it('parses PA_GATEWAYS entries (name, IPv6, default protocol udp)', () => {
    expect(parseGatewayList('gw1=a.example:443/tcp, [2001:db8::1]:1194, b.example')).toEqual([
      { name: 'gw1', host: 'a.example', port: 443, protocol: 'tcp' },
      { name: 'gateway-2', host: '2001:db8::1', port: 1194, protocol: 'udp' },
      { name: 'gateway-3', host: 'b.example', port: undefined, protocol: 'udp' },
    ]);
    expect(() => parseGatewayList('a.example:99999')).toThrow(
      'PA_GATEWAYS: "a.example:99999" is not',
    );
    expect(() => parseGatewayList('a.example/sctp')).toThrow('PA_GATEWAYS');
    expect(() => parseGatewayList('[nothex]:1')).toThrow('PA_GATEWAYS');
  });

  it('reads the gateways the connector registered, or says why there are none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pa-diag-id-'));
    try {
      expect((await gatewaysFromIdentity(dir)).source).toContain('has not enrolled yet');
      mkdirSync(join(dir, 'identity-abc'));
      const { symlinkSync } = await import('node:fs');
      symlinkSync('identity-abc', join(dir, 'identity'));
      writeFileSync(
        join(dir, 'identity-abc', 'identity.json'),
        JSON.stringify({
          connectorId: 'c1',
          gateways: [
            { id: 'g1', name: 'eu-1-a', host: '10.9.0.1', port: 1194, protocol: 'udp' },
            { id: 'g2', name: 'eu-1-b', host: 'fd00::2', port: 443, protocol: 'tcp' },
            { id: 'broken' },
          ],
        }),
        { mode: 0o600 },
      );
      const list = await gatewaysFromIdentity(dir);
      expect(list.gateways).toEqual([
        { name: 'eu-1-a', host: '10.9.0.1', port: 1194, protocol: 'udp' },
        { name: 'eu-1-b', host: 'fd00::2', port: 443, protocol: 'tcp' },
      ]);
      expect(list.source).toContain('registered gateways in');
      // The registered gateways win over PA_GATEWAYS; PA_GATEWAYS fills in before enrollment.
      expect(
        (await loadGateways({ PA_DATA_DIR: dir, PA_GATEWAYS: 'other.example:443' })).gateways,
      ).toHaveLength(2);
      const before = await loadGateways({
        PA_DATA_DIR: join(dir, 'absent'),
        PA_GATEWAYS: 'other.example:443/tcp',
      });
      expect(before.gateways).toEqual([
        { name: 'gateway-1', host: 'other.example', port: 443, protocol: 'tcp' },
      ]);
      expect(before.source).toMatch(/^PA_GATEWAYS \(.*has not enrolled yet\)$/);
      await expect(loadGateways({ PA_DATA_DIR: dir, PA_GATEWAYS: 'a:b:c' })).rejects.toThrow(
        'PA_GATEWAYS',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
