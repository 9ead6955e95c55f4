import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@pa-connector/config';
import { loadUpdateConfig } from '../../src/config';

describe('update config', () => {
  it('has defaults for everything', () => {
    const c = loadUpdateConfig({});
    expect(c.httpPort).toBe(8082);
    expect(c.connectorUrl.href).toBe('http://127.0.0.1:8080/');
    expect(c.internalApiToken).toBeUndefined();
    expect(c.slotTtl).toBe(900_000);
    expect(c.slotRetry).toBe(15_000);
    expect(c.slotWait).toBe(1_800_000);
    expect(c.drainTimeout).toBe(60_000);
  });

  it("reads the group's update slot and drain settings", () => {
    const c = loadUpdateConfig({
      PA_UPDATE_SLOT_TTL: '20m',
      PA_UPDATE_SLOT_RETRY: '5s',
      PA_UPDATE_SLOT_WAIT: '0',
      PA_UPDATE_DRAIN_TIMEOUT: '90s',
    });
    expect([c.slotTtl, c.slotRetry, c.slotWait, c.drainTimeout]).toEqual([
      1_200_000, 5_000, 0, 90_000,
    ]);
  });

  it('reads the internal API token from a file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pa-update-')), 'token');
    writeFileSync(file, 'tok-0123456789\n', { mode: 0o600 });
    const c = loadUpdateConfig({ PA_INTERNAL_API_TOKEN_FILE: file });
    expect(c.internalApiToken?.reveal()).toBe('tok-0123456789');
    expect(String(c.internalApiToken)).toBe('[redacted]');
  });

  it.each([
    ['PA_CONNECTOR_URL', 'ftp://connector', /PA_CONNECTOR_URL: must use http or https/],
    ['PA_HTTP_PORT', 'abc', /PA_HTTP_PORT: must be a whole number/],
    ['PA_INTERNAL_API_TOKEN', 'inline', /PA_INTERNAL_API_TOKEN: secrets are not taken/],
    // The cloud grants leases of 10 s to 1 h.
    ['PA_UPDATE_SLOT_TTL', '5s', /PA_UPDATE_SLOT_TTL: must be at least 10s, got 5s/],
    ['PA_UPDATE_SLOT_TTL', '2h', /PA_UPDATE_SLOT_TTL: must be at most 1h, got 2h/],
    ['PA_UPDATE_SLOT_RETRY', 'soon', /PA_UPDATE_SLOT_RETRY: must be a duration/],
    ['PA_UPDATE_SLOT_WAIT', '-1m', /PA_UPDATE_SLOT_WAIT: must be a duration/],
    ['PA_UPDATE_DRAIN_TIMEOUT', '2h', /PA_UPDATE_DRAIN_TIMEOUT: must be at most 1h/],
  ])('refuses %s=%s naming the setting', (name, value, message) => {
    expect(() => loadUpdateConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadUpdateConfig({ [name]: value })).toThrow(message);
  });
});
