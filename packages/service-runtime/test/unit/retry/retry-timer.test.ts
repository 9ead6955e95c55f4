import { FakeClock } from '@pa-connector/test-support';
import { RetryTimer } from '../../../src/retry/retry-timer';

function setup() {
  const clock = new FakeClock();
  let retries = 0;
  const timer = new RetryTimer({
    clock,
    random: () => 0,
    backoff: { initialMs: 100, maxMs: 1_000 },
    onRetry: () => retries++,
  });
  return { clock, timer, retries: () => retries };
}

describe('RetryTimer', () => {
  it('waits the growing backoff after each failure in a row, then calls onRetry', async () => {
    const { clock, timer, retries } = setup();
    expect(timer.failed()).toBe(50);
    expect(timer.waiting).toBe(true);
    await clock.advance(49);
    expect(retries()).toBe(0);
    await clock.advance(1);
    expect(retries()).toBe(1);
    expect(timer.waiting).toBe(false);
    expect([timer.failed(), timer.failed(), timer.failed()]).toEqual([100, 200, 400]);
    // One wait at a time: the latest failure's.
    expect(clock.pending()).toEqual([400]);
    expect(timer.failures).toBe(4);
  });

  it('starts counting again after a success', () => {
    const { timer } = setup();
    timer.failed();
    timer.failed();
    expect(timer.succeeded()).toBe(2);
    expect(timer.succeeded()).toBe(0);
    expect(timer.failed()).toBe(50);
  });

  it('cancel ends the wait without a retry', async () => {
    const { clock, timer, retries } = setup();
    timer.failed();
    timer.cancel();
    expect(timer.waiting).toBe(false);
    await clock.advance(10_000);
    expect(retries()).toBe(0);
  });

  it('caps the delay', () => {
    const { timer } = setup();
    expect(timer.delay(50)).toBe(500);
  });
});
