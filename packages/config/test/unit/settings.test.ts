import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  ConfigError,
  closestName,
  editDistance,
  loadConfig,
  parseDuration,
  refuseUnknownSettings,
  SETTINGS_TABLE_END,
  SETTINGS_TABLE_START,
  setting,
  settingsTable,
  settingsTableIn,
  unknownSettings,
  withSettingsTable,
} from '../../src';

const schema = {
  redisUrl: setting.url({ env: 'PA_REDIS_URL', description: 'Redis', protocols: ['redis'] }),
  port: setting.port({ env: 'PA_HTTP_PORT', description: 'port', default: 8080 }),
  interval: setting.duration({
    env: 'PA_INTERVAL',
    description: 'every',
    default: 30_000,
    max: 3_600_000,
  }),
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
    const path = secretFile('eyJzZWNyZXQiOiJzZWNyZXQtdmFsdWUifQ\n');
    const c = loadConfig(schema, { PA_REDIS_URL: 'redis://x', PA_PROVISIONING_KEY_FILE: path });
    expect(c.key?.reveal()).toBe('eyJzZWNyZXQiOiJzZWNyZXQtdmFsdWUifQ');
    const shown = `${JSON.stringify(c)} ${inspect(c)} ${String(c.key)}`;
    expect(shown).not.toContain('eyJzZWNyZXQiOiJzZWNyZXQtdmFsdWUifQ');
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

  it('refuses an unknown PA_ variable, naming it and the closest known setting', () => {
    const env = { PA_REDIS_URLL: 'redis://x', PA_REDIS_URL: 'redis://x' };
    expect(() => refuseUnknownSettings(schema, env)).toThrow(
      new ConfigError(
        'PA_REDIS_URLL',
        'is not a setting of this service; did you mean PA_REDIS_URL?',
      ),
    );
    expect(() => refuseUnknownSettings(schema, { PA_PROVISIONING_KY_FILE: '/k' })).toThrow(
      'did you mean PA_PROVISIONING_KEY_FILE?',
    );
    expect(() => refuseUnknownSettings(schema, { PA_SOMETHING_ELSE: '1' })).toThrow(
      /^PA_SOMETHING_ELSE: is not a setting of this service$/,
    );
    expect(() =>
      refuseUnknownSettings(schema, { PA_VERSION: '1', PA_HTTP_PORT: '1', HOME: '/' }, [
        'PA_VERSION',
      ]),
    ).not.toThrow();
  });

  it('measures edit distance', () => {
    expect(editDistance('PA_REDIS_URLL', 'PA_REDIS_URL')).toBe(1);
    expect(editDistance('PA_REDIS_ULR', 'PA_REDIS_URL')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
    expect(closestName('PA_LOG_LEVLE', ['PA_LOG_LEVEL', 'PA_HTTP_PORT'])).toBe('PA_LOG_LEVEL');
    expect(closestName('PA_WHATEVER', ['PA_LOG_LEVEL', 'PA_HTTP_PORT'])).toBeUndefined();
  });

  it('describes the schema as a table', () => {
    expect(settingsTable(schema)).toContain('| `PA_HTTP_PORT` | `8080` | port |');
  });

  it('says what an unset setting without a default means, and writes defaults as they are read', () => {
    const table = settingsTable({
      need: setting.string({ env: 'PA_NEED', description: 'needed' }),
      maybe: setting.string({ env: 'PA_MAYBE', description: 'a | b', optional: true }),
      roots: setting.string({
        env: 'PA_ROOTS',
        description: 'roots',
        optional: true,
        docDefault: 'the system roots',
      }),
      key: setting.secret({ env: 'PA_KEY', description: 'key', optional: true }),
      wait: setting.duration({
        env: 'PA_WAIT',
        description: 'wait',
        default: 90_000,
        max: 3_600_000,
      }),
      part: setting.fraction({
        env: 'PA_PART',
        description: 'part',
        default: 2 / 3,
        defaultText: '2/3',
      }),
    });
    expect(table.split('\n').slice(2)).toEqual([
      '| `PA_NEED` | required | needed |',
      '| `PA_MAYBE` | none | a \\| b |',
      '| `PA_ROOTS` | the system roots | roots |',
      '| `PA_KEY_FILE` | file path | key |',
      '| `PA_WAIT` | `90s` | wait |',
      '| `PA_PART` | `2/3` | part |',
    ]);
  });

  it('puts the table between the markers of a README, and reads it back', () => {
    const s = { port: setting.port({ env: 'PA_P', description: 'port', default: 1 }) };
    const readme = `# x\n\n${SETTINGS_TABLE_START}\nold rows\n${SETTINGS_TABLE_END}\n\nafter\n`;
    const next = withSettingsTable(readme, s);
    expect(settingsTableIn(next)).toBe(settingsTable(s));
    expect(next.endsWith(`${SETTINGS_TABLE_END}\n\nafter\n`)).toBe(true);
    expect(withSettingsTable(next, s)).toBe(next);
    expect(() => settingsTableIn('# no table', 'x/README.md')).toThrow(
      'x/README.md has no settings table markers',
    );
  });
});

describe('duration settings', () => {
  const every = (o: { default?: number; min?: number; max: number }) => ({
    s: setting.duration({ env: 'PA_EVERY', description: 'every', ...o }),
  });

  it.each([
    ['1h', 3_600_000],
    ['3600s', 3_600_000],
  ])('accepts %s, the maximum', (text, ms) => {
    expect(loadConfig(every({ max: 3_600_000 }), { PA_EVERY: text }).s).toBe(ms);
  });

  it.each(['3601s', '2h', '365d', '99999999999999999999d'])(
    'refuses %s, above the maximum, naming the setting',
    (text) => {
      expect(() => loadConfig(every({ max: 3_600_000 }), { PA_EVERY: text })).toThrow(
        new ConfigError('PA_EVERY', `must be at most 1h, got ${text}`),
      );
    },
  );

  it('checks a default like a given value', () => {
    expect(() => loadConfig(every({ default: 7_200_000, max: 3_600_000 }), {})).toThrow(
      'PA_EVERY: has an invalid default "2h": must be at most 1h, got 2h',
    );
    expect(() => loadConfig(every({ default: 5, min: 10, max: 1_000 }), {})).toThrow(
      'PA_EVERY: has an invalid default "5ms": must be at least 10ms',
    );
    expect(loadConfig(every({ default: 1_000, max: 1_000 }), {}).s).toBe(1_000);
  });

  it('checks other kinds of defaults too', () => {
    const bad = {
      level: setting.enum({
        env: 'PA_LEVEL',
        description: 'level',
        values: ['a', 'b'] as const,
        default: 'c' as 'a',
      }),
    };
    expect(() => loadConfig(bad, {})).toThrow('PA_LEVEL: has an invalid default "c"');
    const port = { p: setting.int({ env: 'PA_N', description: 'n', default: 0, min: 1 }) };
    expect(() => loadConfig(port, {})).toThrow('PA_N: has an invalid default "0"');
  });

  it("refuses to define a maximum past Node's timer limit unless the value is no timer", () => {
    expect(() => every({ max: 25 * 86_400_000 })).toThrow(/PA_EVERY.*timer limit/);
    expect(
      loadConfig(
        {
          s: setting.duration({
            env: 'PA_AGE',
            description: 'age',
            max: 3650 * 86_400_000,
            notATimer: true,
          }),
        },
        { PA_AGE: '365d' },
      ).s,
    ).toBe(365 * 86_400_000);
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
