import { Writable } from 'node:stream';
import { censorSecrets, createLogger, REDACT_PATHS, SECRET_KEYS } from '../../src';

describe('censorSecrets', () => {
  it('replaces secret-named fields at any depth without touching the caller object', () => {
    const input = {
      user: 'ann',
      token: 'abc',
      nested: {
        password: 'p',
        keep: 1,
        deeper: { req: { headers: { authorization: 'Bearer x', accept: '*/*' } } },
      },
      list: [{ token: 'in-array-left-alone' }],
    };
    const copy = structuredClone(input);
    expect(censorSecrets(input)).toEqual({
      user: 'ann',
      token: '[redacted]',
      nested: {
        password: '[redacted]',
        keep: 1,
        deeper: { req: { headers: { authorization: '[redacted]', accept: '*/*' } } },
      },
      list: [{ token: 'in-array-left-alone' }],
    });
    expect(input).toEqual(copy);
  });

  it('returns the same object when there is nothing to censor', () => {
    const o = { a: 1, b: { c: 'x' } };
    expect(censorSecrets(o)).toBe(o);
  });

  it('leaves class instances such as errors to their serializers', () => {
    const err = Object.assign(new Error('x'), { token: 'on-error' });
    expect(censorSecrets({ err }).err).toBe(err);
  });

  it('covers every field of REDACT_PATHS', () => {
    for (const p of REDACT_PATHS) {
      const last = /([^.[\]"]+)"?\]?$/.exec(p)?.[1] as string;
      expect(SECRET_KEYS.has(last)).toBe(true);
    }
  });
});

describe('the logger censors', () => {
  it('child bindings and nested fields', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(c, _e, cb) {
        lines.push(String(c));
        cb();
      },
    });
    const log = createLogger({ service: 's', destination }).child({ accessToken: 'tok-abcdef' });
    log.info({ proxy: { proxyUrl: 'http://u:p@proxy:3128' } }, 'x');
    expect(lines[0]).not.toMatch(/tok-abcdef|u:p@/);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      accessToken: '[redacted]',
      proxy: { proxyUrl: '[redacted]' },
    });
  });
});
