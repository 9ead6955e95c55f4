import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@pa-connector/config';
import { loadPopManagerConfig } from '../../src/config';

describe('pop-manager config', () => {
  it('has defaults for everything', () => {
    const c = loadPopManagerConfig({});
    expect(c.httpPort).toBe(8083);
    expect(c.connectorUrl.href).toBe('http://127.0.0.1:8080/');
    expect(c.internalApiToken).toBeUndefined();
    expect(c.statusInterval).toBe(30_000);
    expect(c.staleBeats).toBe(2);
    expect(c.diskPath).toBe('/');
    expect(c.recentErrors).toBe(20);
  });

  it("accepts the cloud's endpoints its container carries for the operator CLI, and still refuses a typo", () => {
    const c = loadPopManagerConfig({
      PA_CLOUD_DOMAIN: 'example.net',
      PA_GATEWAY: 'us-west.pa-wgcs.example.net',
      PA_SSE_URLS: '',
      PA_REGION: '',
    });
    expect(c.httpPort).toBe(8083);
    expect(() => loadPopManagerConfig({ PA_CLOUD_DOMIAN: 'example.net' })).toThrow(
      'PA_CLOUD_DOMIAN: is not a setting of this service',
    );
  });

  it('reports under PA_HOSTNAME, else the VM hostname', () => {
    expect(loadPopManagerConfig({ PA_HOSTNAME: 'pop-a.corp' }).hostname).toBe('pop-a.corp');
    expect(loadPopManagerConfig({}, { readHostname: () => 'vm-7' }).hostname).toBe('vm-7');
    expect(loadPopManagerConfig({ PA_HOSTNAME: 'x'.repeat(63) }).hostname).toHaveLength(63);
  });

  it('refuses a hostname of 64 characters or more, also when it is the VM hostname', () => {
    const long = `a${'b'.repeat(63)}`;
    expect(() => loadPopManagerConfig({ PA_HOSTNAME: long })).toThrow(
      `PA_HOSTNAME: "${long}" is 64 characters; the cloud needs fewer than 64`,
    );
    expect(() => loadPopManagerConfig({}, { readHostname: () => long })).toThrow(
      `PA_HOSTNAME: has an invalid default "${long}": "${long}" is 64 characters; the cloud needs fewer than 64 (set PA_HOSTNAME to a shorter name)`,
    );
    expect(() => loadPopManagerConfig({}, { readHostname: () => long })).toThrow(ConfigError);
    expect(() => loadPopManagerConfig({ PA_HOSTNAME: 'bad_name' })).toThrow(
      'PA_HOSTNAME: must be a hostname (letters, digits, "-" and "."), got "bad_name"',
    );
  });

  it('reads the status period and retry delays, and refuses a max below the initial delay', () => {
    const c = loadPopManagerConfig({
      PA_POP_STATUS_INTERVAL: '5s',
      PA_POP_PUSH_RETRY_INITIAL_DELAY: '200ms',
      PA_POP_PUSH_RETRY_MAX_DELAY: '2s',
    });
    expect([c.statusInterval, c.pushRetryInitialDelay, c.pushRetryMaxDelay]).toEqual([
      5_000, 200, 2_000,
    ]);
    expect(() =>
      loadPopManagerConfig({
        PA_POP_PUSH_RETRY_INITIAL_DELAY: '5s',
        PA_POP_PUSH_RETRY_MAX_DELAY: '1s',
      }),
    ).toThrow(
      'PA_POP_PUSH_RETRY_MAX_DELAY: must be at least PA_POP_PUSH_RETRY_INITIAL_DELAY (5000ms), got 1000ms',
    );
  });

  it('reads the internal API token from a file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pa-pop-manager-')), 'token');
    writeFileSync(file, 'tok-0123456789\n', { mode: 0o600 });
    const c = loadPopManagerConfig({ PA_INTERNAL_API_TOKEN_FILE: file });
    expect(c.internalApiToken?.reveal()).toBe('tok-0123456789');
    expect(String(c.internalApiToken)).toBe('[redacted]');
  });

  it.each([
    ['PA_CONNECTOR_URL', 'ftp://connector', /PA_CONNECTOR_URL: must use http or https/],
    ['PA_HTTP_PORT', 'abc', /PA_HTTP_PORT: must be a whole number/],
    ['PA_INTERNAL_API_TOKEN', 'inline', /PA_INTERNAL_API_TOKEN: secrets are not taken/],
    ['PA_POP_STATUS_INTERVAL', 'soon', /PA_POP_STATUS_INTERVAL: must be a duration/],
    ['PA_HEARTBEAT_STALE_BEATS', '3.5', /PA_HEARTBEAT_STALE_BEATS: must be a whole number/],
    ['PA_HEARTBEAT_STALE_BEATS', '3', /PA_HEARTBEAT_STALE_BEATS: must be at most 2/],
    ['PA_POP_DISK_PATH', 'data', /PA_POP_DISK_PATH: must be an absolute path/],
  ])('refuses %s=%s naming the setting', (name, value, message) => {
    expect(() => loadPopManagerConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadPopManagerConfig({ [name]: value })).toThrow(message);
  });
});
