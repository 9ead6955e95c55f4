import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, settingsTable } from '@pa-connector/config';
import { connectorSchema, loadConnectorConfig } from '../../src/config';

describe('connector settings', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pa-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text, { mode: 0o600 });
    return p;
  };
  const base = { PA_SSE_URLS: 'https://sse1.example:8443, https://[::1]:9443/api' };
  const fail = (env: Record<string, string>): ConfigError => {
    try {
      loadConnectorConfig({ ...base, ...env });
    } catch (err) {
      if (err instanceof ConfigError) return err;
      throw err;
    }
    throw new Error('expected a ConfigError');
  };

  it('has defaults for everything', () => {
    const c = loadConnectorConfig(base);
    expect(c.sseUrls?.map((u) => u.href)).toEqual([
      'https://sse1.example:8443/',
      'https://[::1]:9443/api',
    ]);
    expect(c).toMatchObject({
      httpHost: '127.0.0.1',
      httpPort: 8080,
      dataDir: '/var/lib/pa-connector',
      sseCa: undefined,
      proxy: undefined,
      noProxy: [],
      sseTimeout: 10_000,
      catalogInterval: 30_000,
      tokenRefreshAt: 0.8,
      retryInitialDelay: 1_000,
      retryMaxDelay: 60_000,
      internalApiAttempts: 3,
    });
    expect(c.certRenewAt).toBeCloseTo(2 / 3);
  });

  it("derives every purpose's endpoint from the cloud domain without PA_SSE_URLS", () => {
    const c = loadConnectorConfig({});
    expect(c.sseUrls).toBeUndefined();
    expect(c.endpoints.urls.registration.map(String)).toEqual([
      'https://wgcs.pa-connector.net:8080/',
    ]);
    expect(c.endpoints.urls.collector.map(String)).toEqual(['https://status.pa-connector.net/']);
  });

  it('lets PA_SSE_URLS stand in for every purpose without its own setting', () => {
    const c = loadConnectorConfig({ ...base, PA_TOKEN_URL: 'https://iam.example' });
    expect(c.endpoints.urls.tokens.map(String)).toEqual(['https://iam.example/']);
    expect(c.endpoints.urls.catalog.map(String)).toEqual([
      'https://sse1.example:8443/',
      'https://[::1]:9443/api',
    ]);
  });

  it('reads the gateway the operator named', () => {
    const c = loadConnectorConfig({ PA_GATEWAY: 'us-west.pa-wgcs.skyhigh.cloud' });
    expect(c.endpoints.gateway).toEqual({ host: 'us-west.pa-wgcs.skyhigh.cloud', port: 443 });
    expect(fail({ PA_GATEWAY: 'us west' }).setting).toBe('PA_GATEWAY');
  });

  it('wants https SSE URLs', () => {
    expect(fail({ PA_SSE_URLS: 'http://sse.example' }).message).toContain('must use https');
  });

  it('reads the provisioning key only from a file', () => {
    const key = 'eyJrZXlJZCI6IjAxMjM0NTY3ODlhYmNkZWYifQ';
    const c = loadConnectorConfig({ ...base, PA_PROVISIONING_KEY_FILE: file('key', `${key}\n`) });
    expect(c.provisioningKey?.reveal()).toBe(key);
    expect(fail({ PA_PROVISIONING_KEY: key }).message).toContain('PA_PROVISIONING_KEY_FILE');
  });

  it('reads the SSE CA file and refuses one without a certificate', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect(loadConnectorConfig({ ...base, PA_SSE_CA_FILE: file('ca.pem', pem) }).sseCa).toBe(pem);
    expect(fail({ PA_SSE_CA_FILE: file('empty.pem', 'nothing') }).message).toContain(
      'holds no PEM certificate',
    );
    expect(fail({ PA_SSE_CA_FILE: join(dir, 'missing') }).message).toContain('ENOENT');
  });

  it('takes a proxy without credentials from PA_PROXY_URL, with credentials only from a file', () => {
    expect(
      loadConnectorConfig({ ...base, PA_PROXY_URL: 'http://proxy.corp:3128' }).proxy,
    ).toMatchObject({
      origin: 'http://proxy.corp:3128',
      authorization: undefined,
    });
    const e = fail({ PA_PROXY_URL: 'http://bob:hunter2-secret@proxy.corp:3128' });
    expect(e.setting).toBe('PA_PROXY_URL');
    expect(e.message).toContain('PA_PROXY_URL_FILE');
    expect(e.message).not.toContain('hunter2-secret');
    const c = loadConnectorConfig({
      ...base,
      PA_PROXY_URL_FILE: file('proxy', 'http://bob:hunter2-secret@proxy.corp:3128\n'),
    });
    expect(c.proxy?.origin).toBe('http://proxy.corp:3128');
    expect(c.proxy?.secrets).toContain('hunter2-secret');
    expect(
      fail({ PA_PROXY_URL: 'http://a:1', PA_PROXY_URL_FILE: file('p2', 'http://b:2') }).message,
    ).toContain('not both');
    const bad = fail({ PA_PROXY_URL_FILE: file('p3', 'https://bob:hunter2-secret@proxy:1') });
    expect(bad.message).toContain('must start with http://');
    expect(bad.message).not.toContain('hunter2-secret');
  });

  it('checks every no-proxy entry', () => {
    const c = loadConnectorConfig({ ...base, PA_NO_PROXY: 'localhost, .corp, 10.0.0.0/8, ::1' });
    expect(c.noProxy).toEqual(['localhost', '.corp', '10.0.0.0/8', '::1']);
    const e = fail({ PA_NO_PROXY: 'ok.host, 10.0.0.0/99' });
    expect(e.setting).toBe('PA_NO_PROXY');
    expect(e.message).toContain('10.0.0.0/99');
  });

  it.each([
    ['0.5', 0.5],
    ['3/4', 0.75],
  ])('takes renewal fraction %s', (raw, v) => {
    expect(loadConnectorConfig({ ...base, PA_CERT_RENEW_AT: raw }).certRenewAt).toBe(v);
  });

  it.each(['1', '0', '1.5', 'two thirds', '4/3'])('refuses fraction %j', (raw) => {
    expect(fail({ PA_TOKEN_REFRESH_AT: raw }).setting).toBe('PA_TOKEN_REFRESH_AT');
  });

  it('reads the region from PA_REGION, or from its former name PA_POP', () => {
    expect(loadConnectorConfig(base).region).toBeUndefined();
    expect(loadConnectorConfig({ ...base, PA_REGION: 'eu-west' }).region).toBe('eu-west');
    expect(loadConnectorConfig({ ...base, PA_POP: 'us-east' }).region).toBe('us-east');
    expect(fail({ PA_REGION: 'no spaces' }).setting).toBe('PA_REGION');
    const both = fail({ PA_REGION: 'eu-west', PA_POP: 'us-east' });
    expect(both.setting).toBe('PA_POP');
    expect(both.message).toMatch(/former name of PA_REGION/);
  });

  it('refuses a retry cap below the first delay', () => {
    expect(fail({ PA_RETRY_INITIAL_DELAY: '10s', PA_RETRY_MAX_DELAY: '1s' }).setting).toBe(
      'PA_RETRY_MAX_DELAY',
    );
  });

  it('documents every setting', () => {
    const table = settingsTable(connectorSchema());
    for (const env of [
      'PA_SSE_URLS',
      'PA_SSE_CA_FILE',
      'PA_PROVISIONING_KEY_FILE',
      'PA_DATA_DIR',
      'PA_PROXY_URL',
      'PA_PROXY_URL_FILE',
      'PA_NO_PROXY',
      'PA_INTERNAL_API_TOKEN_FILE',
      'PA_HTTP_PORT',
      'PA_REDIS_URL',
    ]) {
      expect(table).toContain(`\`${env}\``);
    }
  });
  it('tunnel settings: two tunnels by default, whole-second pings, checked against each other', () => {
    const c = loadConnectorConfig(base);
    expect(c).toMatchObject({
      tunnels: 2,
      openvpnPath: 'openvpn',
      tunnelRunDir: '/run/pa-connector/tunnels',
      tunnelPing: 1_000,
      tunnelPingRestart: 3_000,
      tunnelSilenceTimeout: 1_500,
      tunnelConnectTimeout: 60_000,
      tunnelConnectRetryMax: 5_000,
      tunnelRestartInitialDelay: 1_000,
      tunnelRestartMaxDelay: 30_000,
    });
    expect(loadConnectorConfig({ ...base, PA_TUNNELS: '0' }).tunnels).toBe(0);
    expect(
      loadConnectorConfig({ ...base, PA_TUNNEL_SILENCE_TIMEOUT: '0' }).tunnelSilenceTimeout,
    ).toBe(0);
    expect(fail({ PA_TUNNEL_SILENCE_TIMEOUT: '800ms' }).message).toMatch(
      /PA_TUNNEL_SILENCE_TIMEOUT.*longer than PA_TUNNEL_PING/,
    );
    expect(fail({ PA_TUNNELS: '9' }).message).toMatch(/PA_TUNNELS/);
    expect(fail({ PA_TUNNEL_PING_RESTART: '500ms' }).message).toMatch(/PA_TUNNEL_PING_RESTART/);
    expect(
      fail({ PA_TUNNEL_PING: '3s', PA_TUNNEL_PING_RESTART: '3s', PA_TUNNEL_SILENCE_TIMEOUT: '0' })
        .message,
    ).toMatch(/PA_TUNNEL_PING_RESTART.*longer than PA_TUNNEL_PING/);
    expect(
      fail({ PA_TUNNEL_RESTART_INITIAL_DELAY: '5s', PA_TUNNEL_RESTART_MAX_DELAY: '1s' }).message,
    ).toMatch(/PA_TUNNEL_RESTART_MAX_DELAY/);
    const table = settingsTable(connectorSchema());
    for (const env of [
      'PA_TUNNELS',
      'PA_OPENVPN_PATH',
      'PA_TUNNEL_RUN_DIR',
      'PA_TUNNEL_PING_RESTART',
    ]) {
      expect(table).toContain(`\`${env}\``);
    }
  });
});
