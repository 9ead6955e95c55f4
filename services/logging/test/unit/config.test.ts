import { ConfigError } from '@pa-connector/config';
import { loadLoggingConfig } from '../../src/config';

describe('logging config', () => {
  it('has defaults for everything', () => {
    const c = loadLoggingConfig({});
    expect(c.httpPort).toBe(8081);
    expect(c.logDir).toBe('/var/log/pa-connector');
    expect(c.forward).toBe(false);
    expect(c.forwardLevel).toBe('warn');
    expect(c.connectorUrl.href).toBe('http://127.0.0.1:8080/');
    expect(c.internalApiToken).toBeUndefined();
    expect(c.forwardBatch).toBe(500);
    expect(c.forwardInterval).toBe(5_000);
    expect(c.forwardBuffer).toBe(10_000);
  });

  it('reads the forwarding settings', () => {
    const c = loadLoggingConfig({
      PA_LOG_FORWARD: 'true',
      PA_LOG_FORWARD_LEVEL: 'error',
      PA_CONNECTOR_URL: 'http://connector:8080',
      PA_LOG_FORWARD_BATCH: '50',
      PA_LOG_FORWARD_INTERVAL: '250ms',
      PA_LOG_FORWARD_BUFFER: '100',
    });
    expect(c).toMatchObject({
      forward: true,
      forwardLevel: 'error',
      forwardBatch: 50,
      forwardInterval: 250,
      forwardBuffer: 100,
    });
    expect(c.connectorUrl.origin).toBe('http://connector:8080');
  });

  it.each([
    ['PA_LOG_DIR', 'relative/logs', /PA_LOG_DIR: must be an absolute path/],
    ['PA_HTTP_PORT', '70000', /PA_HTTP_PORT: must be at most 65535/],
    ['PA_LOG_LEVEL', 'loud', /PA_LOG_LEVEL: must be one of/],
    ['PA_LOG_FORWARD', 'maybe', /PA_LOG_FORWARD: must be true or false/],
    ['PA_LOG_FORWARD_LEVEL', 'warning', /PA_LOG_FORWARD_LEVEL: must be one of/],
    ['PA_LOG_FORWARD_BATCH', '0', /PA_LOG_FORWARD_BATCH: must be at least 1/],
    ['PA_LOG_FORWARD_INTERVAL', 'soon', /PA_LOG_FORWARD_INTERVAL: must be a duration/],
    ['PA_LOG_FORWARD_BUFFER', '-5', /PA_LOG_FORWARD_BUFFER/],
    ['PA_CONNECTOR_URL', 'ftp://x', /PA_CONNECTOR_URL/],
    ['PA_INTERNAL_API_TOKEN', 'inline', /PA_INTERNAL_API_TOKEN: secrets are not taken/],
  ])('refuses %s=%s naming the setting', (name, value, message) => {
    expect(() => loadLoggingConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadLoggingConfig({ [name]: value })).toThrow(message);
  });
});
