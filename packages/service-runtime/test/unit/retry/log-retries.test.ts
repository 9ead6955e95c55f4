import { Writable } from 'node:stream';
import { createLogger } from '@pa-connector/logger';
import { logRetries } from '../../../src/retry/log-retries';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, logger: createLogger({ service: 'test', destination }) };
}

describe('logRetries', () => {
  it('warns once per retry with the attempt, the delay and what failed', () => {
    const { lines, logger } = capture();
    const onRetry = logRetries(logger, 'fetching failed; retrying', { route: '/x' });
    const err = Object.assign(new Error('the SSE is busy'), { code: 'busy', status: 503 });
    onRetry(err, 2, 1_500);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'warn',
      msg: 'fetching failed; retrying',
      route: '/x',
      attempt: 2,
      delayMs: 1_500,
      code: 'busy',
      status: 503,
      reason: 'the SSE is busy',
    });
  });

  it('copes with a thrown value that is no error', () => {
    const { lines, logger } = capture();
    logRetries(logger, 'x')(undefined, 1, 10);
    expect(lines[0]).toMatchObject({ attempt: 1, delayMs: 10 });
    expect(lines[0]).not.toHaveProperty('code');
  });
});
