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
  ])('refuses %s=%s naming the setting', (name, value, message) => {
    expect(() => loadUpdateConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadUpdateConfig({ [name]: value })).toThrow(message);
  });
});
