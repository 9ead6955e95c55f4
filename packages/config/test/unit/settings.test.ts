import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  ConfigError,
  describeSchema,
  loadConfig,
  parseDuration,
  setting,
  unknownSettings,
} from '../../src';

const schema = {
  redisUrl: setting.url({ env: 'PA_REDIS_URL', description: 'Redis', protocols: ['redis'] }),
  port: setting.port({ env: 'PA_HTTP_PORT', description: 'port', default: 8080 }),
  interval: setting.duration({ env: 'PA_INTERVAL', description: 'every', default: 30_000 }),
  level: setting.enum({
    env: 'PA_LOG_LEVEL',
    description: 'level',
    values: ['info', 'debug'] as const,
    default: 'info',
  }),
  sse: setting.urlList({ env: 'PA_SSE_URLS', description: 'SSE', optional: true }),
  key: setting.secret({ env: 'PA_PROVISIONING_KEY', description: 'key', optional: true }),
};

function secretFile(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pa-config-'));
  const path = join(dir, 'key');
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

describe('loadConfig', () => {
  it('reads values and applies defaults', () => {
    const c = loadConfig(schema, { PA_REDIS_URL: 'redis://127.0.0.1:6379', PA_INTERVAL: '5m' });
    expect(c.redisUrl.port).toBe('6379');
    expect(c.port).toBe(8080);
    expect(c.interval).toBe(300_000);
    expect(c.level).toBe('info');
    expect(c.sse).toBeUndefined();
    expect(c.key).toBeUndefined();
  });

  it.each([
    [{}, 'PA_REDIS_URL: is required but not set'],
    [{ PA_REDIS_URL: 'http://x' }, 'PA_REDIS_URL: must use redis, got http:'],
    [
      { PA_REDIS_URL: 'redis://x', PA_HTTP_PORT: '70000' },
      'PA_HTTP_PORT: must be at most 65535, got 70000',
    ],
    [
      { PA_REDIS_URL: 'redis://x', PA_HTTP_PORT: '80a' },
      'PA_HTTP_PORT: must be a whole number, got "80a"',
    ],
    [{ PA_REDIS_URL: 'redis://x', PA_INTERVAL: 'soon' }, 'PA_INTERVAL: must be a duration'],
    [
      { PA_REDIS_URL: 'redis://x', PA_LOG_LEVEL: 'loud' },
      'PA_LOG_LEVEL: must be one of info, debug, got "loud"',
    ],
    [{ PA_REDIS_URL: 'redis://x', PA_SSE_URLS: 'https://a, nope' }, 'PA_SSE_URLS: is not a URL'],
  ])('names the setting at fault (%j)', (env, message) => {
    expect(() => loadConfig(schema, env)).toThrow(ConfigError);
    expect(() => loadConfig(schema, env)).toThrow(message);
  });

  it('reads secrets from *_FILE only, and keeps them out of prints', () => {
    const path = secretFile('pak1.0123456789abcdef.secret-value\n');
    const c = loadConfig(schema, { PA_REDIS_URL: 'redis://x', PA_PROVISIONING_KEY_FILE: path });
    expect(c.key?.reveal()).toBe('pak1.0123456789abcdef.secret-value');
    const shown = `${JSON.stringify(c)} ${inspect(c)} ${String(c.key)}`;
    expect(shown).not.toContain('secret-value');
    expect(shown).toContain('redacted');
  });

  it('refuses a secret given in the environment itself, without echoing it', () => {
    const run = () =>
      loadConfig(schema, { PA_REDIS_URL: 'redis://x', PA_PROVISIONING_KEY: 'hunter2' });
    expect(run).toThrow(/PA_PROVISIONING_KEY: secrets are not taken from the environment/);
    try {
      run();
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('hunter2');
    }
  });

  it('reports an unreadable or empty secret file', () => {
    expect(() =>
      loadConfig(schema, { PA_REDIS_URL: 'redis://x', PA_PROVISIONING_KEY_FILE: '/nonexistent/k' }),
    ).toThrow('PA_PROVISIONING_KEY_FILE: cannot read /nonexistent/k (ENOENT)');
    const empty = secretFile('\n');
    chmodSync(empty, 0o600);
    expect(() =>
      loadConfig(schema, { PA_REDIS_URL: 'redis://x', PA_PROVISIONING_KEY_FILE: empty }),
    ).toThrow('is empty');
  });

  it('does not show proxy credentials in URL errors', () => {
    const s = {
      p: setting.url({ env: 'PA_PROXY_URL', description: 'proxy', protocols: ['http'] }),
    };
    expect(() => loadConfig(s, { PA_PROXY_URL: 'ftp://user:pw@proxy' })).toThrow('must use http');
    expect(() => loadConfig(s, { PA_PROXY_URL: 'ftp://user:pw@proxy' })).not.toThrow(/pw/);
  });

  it('lists PA_ variables nobody reads (typos)', () => {
    expect(
      unknownSettings(schema, {
        PA_REDIS_URL: 'x',
        PA_REDIS_ULR: 'y',
        PA_PROVISIONING_KEY_FILE: 'f',
        HOME: '/',
      }),
    ).toEqual(['PA_REDIS_ULR']);
  });

  it('describes the schema as a table', () => {
    expect(describeSchema(schema)).toContain('| `PA_HTTP_PORT` | `8080` | port |');
  });
});

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['30', 30_000],
    ['1.5m', 90_000],
    ['2h', 7_200_000],
    ['90d', 7_776_000_000],
  ])('%s', (text, ms) => expect(parseDuration(text)).toBe(ms));
  it('rejects junk', () => expect(parseDuration('5 minutes')).toBeUndefined());
});
