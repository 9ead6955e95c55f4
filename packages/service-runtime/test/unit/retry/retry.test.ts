import { FakeClock, flush } from '@pa-connector/test-support';
import { isRetryable, retry } from '../../../src/retry/retry';
import { AbortedError } from '../../../src/retry/sleep';

const policy = { initialMs: 1_000, maxMs: 30_000 };

class Flaky extends Error {
  constructor(readonly retryable: boolean) {
    super(retryable ? 'try again' : 'never');
  }
}

describe('retry', () => {
  it('reads the retryable flag, never the message', () => {
    expect(isRetryable(new Flaky(true))).toBe(true);
    expect(isRetryable(new Flaky(false))).toBe(false);
    expect(isRetryable(new Error('retryable timeout'))).toBe(false);
    expect(isRetryable(undefined)).toBe(false);
  });

  it('retries retryable errors with the backoff delays on the clock and reports each', async () => {
    const clock = new FakeClock();
    const seen: Array<[number, number]> = [];
    let calls = 0;
    const p = retry(
      async () => {
        calls++;
        if (calls < 4) throw new Flaky(true);
        return 'done';
      },
      {
        clock,
        random: () => 0,
        backoff: policy,
        onRetry: (_e, attempt, delay) => seen.push([attempt, delay]),
      },
    );
    await flush();
    expect(calls).toBe(1);
    expect(clock.pending()).toEqual([500]);
    await clock.advance(499);
    expect(calls).toBe(1);
    await clock.advance(1);
    expect(calls).toBe(2);
    await clock.advance(1_000 + 2_000);
    await expect(p).resolves.toBe('done');
    expect(seen).toEqual([
      [1, 500],
      [2, 1000],
      [3, 2000],
    ]);
  });

  it('gives up at once on a permanent error', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const p = retry(
      async () => {
        calls++;
        throw new Flaky(false);
      },
      { clock, random: () => 0, backoff: policy },
    );
    await expect(p).rejects.toThrow('never');
    expect(calls).toBe(1);
    expect(clock.pending()).toEqual([]);
  });

  it('stops after maxAttempts and when aborted', async () => {
    const clock = new FakeClock();
    const limited = retry(
      async () => {
        throw new Flaky(true);
      },
      { clock, random: () => 0, backoff: policy, maxAttempts: 2 },
    );
    limited.catch(() => undefined);
    await clock.advance(10_000);
    await expect(limited).rejects.toThrow('try again');

    const ac = new AbortController();
    const endless = retry(
      async () => {
        throw new Flaky(true);
      },
      { clock, random: () => 0, backoff: policy, signal: ac.signal },
    );
    await clock.advance(5_000);
    ac.abort();
    await expect(endless).rejects.toBeInstanceOf(AbortedError);
    expect(clock.pending()).toEqual([]);
  });
});
