import { Writable } from 'node:stream';
import { componentLogger, createLogger, SecretValues } from '../../src';

function sink() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('writes JSON lines with service, version, ISO time and a level word', () => {
    const { lines, stream } = sink();
    const log = createLogger({ service: 'connector', version: '1.2.3', destination: stream });
    componentLogger(log, 'enrollment').info({ attempt: 2 }, 'enrolling');
    const line = JSON.parse(lines[0] as string);
    expect(line).toMatchObject({
      service: 'connector',
      version: '1.2.3',
      component: 'enrollment',
      level: 'info',
      attempt: 2,
      msg: 'enrolling',
    });
    expect(new Date(line.time).toISOString()).toBe(line.time);
  });

  it('censors secret fields by name', () => {
    const { lines, stream } = sink();
    const log = createLogger({ service: 's', destination: stream });
    log.info(
      {
        provisioningKey: 'eyJrZXlJZCI6ImFhYWEifQ',
        req: { headers: { authorization: 'Bearer abcdef' } },
        token: 'tok',
      },
      'x',
    );
    expect(lines[0]).not.toMatch(/eyJrZXlJZCI6ImFhYWEifQ|abcdef|"tok"/);
    expect(lines[0]).toContain('[redacted]');
  });

  it('scrubs registered secret values wherever they appear, messages and errors included', () => {
    const { lines, stream } = sink();
    const secrets = new SecretValues(['S3cr3t-value_with"quote']);
    const log = createLogger({ service: 's', destination: stream, secrets });
    log.error({ err: new Error('password S3cr3t-value_with"quote was refused') }, 'failed');
    log.info('plain S3cr3t-value_with"quote');
    secrets.add('late-secret-1');
    log.info({ detail: 'late-secret-1' }, 'added later');
    const all = lines.join('\n');
    expect(all).not.toContain('S3cr3t');
    expect(all).not.toContain('late-secret-1');
    expect(all.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(3);
  });

  it('ignores values too short to scrub safely', () => {
    const s = new SecretValues(['abc']);
    expect(s.size).toBe(0);
    expect(s.scrub('abc')).toBe('abc');
  });
});
