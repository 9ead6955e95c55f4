import { FakeClock } from '@pa-connector/test-support';
import { RefusalLog } from '../../../src/proxy/refusal-log';
import { captureLogger } from '../../support/capture-logger';

describe('RefusalLog', () => {
  it('logs the first refusal of a reason with its details, then one count per interval', async () => {
    const clock = new FakeClock();
    const log = captureLogger();
    const r = new RefusalLog({ logger: log.logger, clock, intervalMs: 10_000 });
    for (let i = 0; i < 500; i++) r.refused('not_in_catalog', { target: `x${i}.internal:80` });
    r.refused('header_timeout', { remote: '10.0.0.9' });
    expect(log.entries().map((e) => [e.msg, e.reason, e.target])).toEqual([
      ['proxy refused connection', 'not_in_catalog', 'x0.internal:80'],
      ['proxy refused connection', 'header_timeout', undefined],
    ]);
    await clock.advance(10_000);
    const counts = log.entries().filter((e) => e.msg === 'proxy refusals in the last interval');
    // A reason seen once already has its line: no count line for it.
    expect(counts).toEqual([
      expect.objectContaining({
        reason: 'not_in_catalog',
        status: 403,
        count: 500,
        intervalMs: 10_000,
      }),
    ]);
    r.refused('not_in_catalog', { target: 'y.internal:80' });
    expect(log.entries().at(-1)).toMatchObject({
      msg: 'proxy refused connection',
      target: 'y.internal:80',
    });
  });
});
