import type { PopStatusReport } from '@pa-connector/sse-api';
import { PushError } from '../../../src/push/push-error';
import { StatusPusher } from '../../../src/push/status-pusher';
import { captureLogger } from '../../support/capture-logger';
import { FakeClock, flush } from '../../support/fake-clock';

const status = (n: number): PopStatusReport => ({
  hostname: 'vm-1',
  reportedAt: new Date(Date.UTC(2030, 0, 1, 0, 0, n)).toISOString(),
  n,
});

/** A connector whose answers the test decides, one call at a time. */
function fakeConnector() {
  const calls: Array<{ status: PopStatusReport; resolve: () => void; reject: (e: Error) => void }> =
    [];
  return {
    calls,
    sent: () => calls.map((c) => c.status.n),
    send: (s: PopStatusReport) =>
      new Promise<void>((resolve, reject) => calls.push({ status: s, resolve, reject })),
    last: () => calls[calls.length - 1] as (typeof calls)[number],
  };
}

const down = () => new PushError('connector_unreachable', 'ECONNREFUSED', true);

function setup() {
  const clock = new FakeClock();
  const connector = fakeConnector();
  const attempts: boolean[] = [];
  const { logger, entries } = captureLogger();
  const pusher = new StatusPusher({
    send: connector.send,
    clock,
    random: () => 0.5,
    backoff: { initialMs: 1_000, maxMs: 8_000 },
    logger,
    onAttempt: (ok) => attempts.push(ok),
  });
  return { clock, connector, attempts, pusher, entries };
}

describe('StatusPusher', () => {
  it('sends at once and reports the success', async () => {
    const { clock, connector, pusher, attempts } = setup();
    pusher.offer(status(1));
    expect(connector.sent()).toEqual([1]);
    expect(pusher.state()).toEqual({ lastSuccessAt: null, lastError: null, pending: true });
    connector.last().resolve();
    await flush();
    expect(pusher.state()).toEqual({
      lastSuccessAt: new Date(clock.now()).toISOString(),
      lastError: null,
      pending: false,
    });
    expect(attempts).toEqual([true]);
  });

  it('keeps only the newest while the connector is down, and delivers it when it returns', async () => {
    const { clock, connector, pusher, attempts, entries } = setup();
    pusher.offer(status(1));
    connector.last().reject(down());
    await flush();
    expect(pusher.state()).toMatchObject({
      pending: true,
      lastError: { code: 'connector_unreachable', message: 'ECONNREFUSED' },
    });
    // Newer statuses arrive during the backoff: they replace the unsent one, no extra sends.
    pusher.offer(status(2));
    pusher.offer(status(3));
    expect(connector.sent()).toEqual([1]);
    // Retry delays double (jittered to 75% with random 0.5), capped at 8 s.
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      delays.push(clock.pending()[0] as number);
      await clock.advance(clock.pending()[0] as number);
      expect(connector.last().status.n).toBe(i < 2 ? 3 : 4);
      if (i === 1) pusher.offer(status(4));
      connector.last().reject(down());
      await flush();
    }
    expect(delays).toEqual([750, 1_500, 3_000, 6_000, 6_000]);
    expect(connector.sent()).toEqual([1, 3, 3, 4, 4, 4]);
    // The connector is back: the retry delivers the newest (4), the delay resets.
    await clock.advance(clock.pending()[0] as number);
    expect(connector.last().status.n).toBe(4);
    connector.last().resolve();
    await flush();
    expect(pusher.state()).toMatchObject({ pending: false, lastError: null });
    expect(clock.pending()).toEqual([]);
    expect(attempts).toEqual([false, false, false, false, false, false, true]);
    expect(
      entries.filter((e) => e.msg?.toString().startsWith('POP status push failed')),
    ).toHaveLength(6);
    expect(entries.at(-1)).toMatchObject({ msg: 'POP status delivered again', failures: 6 });
    pusher.offer(status(5));
    connector.last().reject(down());
    await flush();
    expect(clock.pending()).toEqual([750]);
  });

  it('sends a status offered during a push right after it, one push at a time', async () => {
    const { connector, pusher } = setup();
    pusher.offer(status(1));
    pusher.offer(status(2));
    pusher.offer(status(3));
    expect(connector.sent()).toEqual([1]);
    connector.last().resolve();
    await flush();
    expect(connector.sent()).toEqual([1, 3]);
    connector.last().resolve();
    await flush();
    expect(pusher.state().pending).toBe(false);
  });

  it('drops a status the connector refuses for good (4xx), without retrying it', async () => {
    const { clock, connector, pusher, entries } = setup();
    pusher.offer(status(1));
    connector
      .last()
      .reject(new PushError('invalid_request', 'the connector answered 400', false, 400));
    await flush();
    expect(pusher.state()).toMatchObject({
      pending: false,
      lastError: { code: 'invalid_request' },
    });
    expect(clock.pending()).toEqual([]);
    expect(entries.at(-1)).toMatchObject({ level: 'error', msg: 'POP status refused' });
    pusher.offer(status(2));
    expect(connector.sent()).toEqual([1, 2]);
  });

  it('stops retrying on stop()', async () => {
    const { clock, connector, pusher } = setup();
    pusher.offer(status(1));
    connector.last().reject(down());
    await flush();
    pusher.stop();
    expect(clock.pending()).toEqual([]);
    pusher.offer(status(2));
    await clock.advance(60_000);
    expect(connector.sent()).toEqual([1]);
  });
});
