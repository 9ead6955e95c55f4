import { FakeClock } from '@pa-connector/test-support';
import type { CollectedStatus, PopManagerStatus } from '../../../src/status/pop-status';
import { StatusReporter } from '../../../src/status/status-reporter';
import { captureLogger } from '../../support/capture-logger';

function collected(n: number): CollectedStatus {
  return {
    hostname: 'vm-1',
    reportedAt: new Date(n).toISOString(),
    version: '1.0.0',
    services: [],
    tunnels: [],
    apps: [],
    host: {
      cpuPercent: null,
      cpuCount: 2,
      memory: null,
      disk: null,
      load: null,
      uptimeSeconds: null,
      errors: [],
    },
    recentErrors: [],
    collectErrors: [],
  };
}

describe('StatusReporter', () => {
  it('reports at once, then every interval ±20% (jitter), offering and storing each status', async () => {
    const clock = new FakeClock(0);
    const offered: string[] = [];
    const stored: PopManagerStatus[] = [];
    let draw = 0;
    const draws = [0, 0.999, 0.5];
    let storeOk = true;
    const { logger, entries } = captureLogger();
    const r = new StatusReporter({
      collect: async () => collected(clock.now()),
      store: async (s) => {
        if (!storeOk) throw new Error('Connection is closed.');
        stored.push(s);
      },
      pusher: {
        offer: (s) => offered.push(s.reportedAt),
        state: () => ({ lastSuccessAt: null, lastError: null, pending: true }),
      },
      clock,
      random: () => draws[draw++ % draws.length] as number,
      intervalMs: 10_000,
      logger,
    });
    r.start();
    await clock.advance(0);
    expect(offered).toEqual([new Date(0).toISOString()]);
    expect(stored[0]).toMatchObject({ hostname: 'vm-1', push: { pending: true } });
    expect(r.latest()?.reportedAt).toBe(new Date(0).toISOString());
    expect(clock.pending()).toEqual([8_000]);
    await clock.advance(8_000);
    expect(clock.pending()).toEqual([11_996]);
    storeOk = false;
    const next = r.nextReport();
    await clock.advance(11_996);
    expect((await next).reportedAt).toBe(new Date(19_996).toISOString());
    expect(clock.pending()).toEqual([10_000]);
    expect(offered).toHaveLength(3);
    expect(stored).toHaveLength(2);
    expect(entries.at(-1)).toMatchObject({ msg: 'cannot store the POP status in Redis' });
    await r.stop();
    expect(clock.pending()).toEqual([]);
  });

  it('keeps ticking when a collection fails', async () => {
    const clock = new FakeClock(0);
    const { logger, entries } = captureLogger();
    let fail = true;
    const r = new StatusReporter({
      collect: async () => {
        if (fail) throw new Error('boom');
        return collected(clock.now());
      },
      store: async () => {},
      pusher: {
        offer: () => {},
        state: () => ({ lastSuccessAt: null, lastError: null, pending: false }),
      },
      clock,
      random: () => 0.5,
      intervalMs: 1_000,
      logger,
    });
    r.start();
    await clock.advance(0);
    expect(entries.at(-1)).toMatchObject({ msg: 'collecting the POP status failed' });
    fail = false;
    await clock.advance(1_000);
    expect(r.latest()?.reportedAt).toBe(new Date(1_000).toISOString());
    await r.stop();
  });
});
