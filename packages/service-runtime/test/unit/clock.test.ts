import { clockFrom, MAX_TIMER_HOP_MS, repeatEvery, systemClock, type TimerSource } from '../../src';

const DAY = 86_400_000;

/** A timer source that refuses what Node would mishandle and lets the test move time. */
function fakeSource() {
  let now = 1_700_000_000_000;
  let seq = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const hops: number[] = [];
  const source: TimerSource = {
    now: () => now,
    setTimeout(fn, ms) {
      if (!(ms >= 0 && ms <= MAX_TIMER_HOP_MS)) throw new RangeError(`hop of ${ms} ms`);
      hops.push(ms);
      seq += 1;
      pending.set(seq, { at: now + ms, fn });
      return seq;
    },
    clearTimeout: (h) => void pending.delete(h as number),
  };
  /** Moves time forward by `ms`, running every timer that falls due on the way. */
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = [...pending.entries()]
        .filter(([, t]) => t.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      pending.delete(due[0]);
      now = Math.max(now, due[1].at);
      due[1].fn();
    }
    now = end;
  };
  const skew = (ms: number) => {
    now += ms;
  };
  return { source, advance, hops, pending, skew };
}

describe('clockFrom', () => {
  it.each([
    ['25 days', 25 * DAY],
    ['365 days', 365 * DAY],
    ['exactly the limit', MAX_TIMER_HOP_MS],
    ['one past the limit', MAX_TIMER_HOP_MS + 1],
  ])('fires a %s delay once, at its deadline, in hops Node honours', (_name, ms) => {
    const f = fakeSource();
    const clock = clockFrom(f.source);
    const fired: number[] = [];
    clock.setTimer(() => fired.push(clock.now()), ms);
    const start = clock.now();
    f.advance(ms - 1);
    expect(fired).toEqual([]);
    f.advance(1);
    expect(fired).toEqual([start + ms]);
    f.advance(10 * 365 * DAY);
    expect(fired).toHaveLength(1);
    expect(Math.max(...f.hops)).toBeLessThanOrEqual(MAX_TIMER_HOP_MS);
    expect(f.hops).toHaveLength(Math.ceil(ms / MAX_TIMER_HOP_MS));
  });

  it('re-reads now() at each hop, so time that passed elsewhere shortens the wait', () => {
    const f = fakeSource();
    const clock = clockFrom(f.source);
    const fired: number[] = [];
    const start = clock.now();
    clock.setTimer(() => fired.push(clock.now()), 365 * DAY);
    // The host slept for 100 days between two hops: the deadline does not move.
    f.advance(MAX_TIMER_HOP_MS);
    f.skew(100 * DAY);
    f.advance(365 * DAY - MAX_TIMER_HOP_MS - 100 * DAY);
    expect(fired).toEqual([start + 365 * DAY]);
  });

  it('cancels at any hop', () => {
    for (const after of [0, MAX_TIMER_HOP_MS - 1, MAX_TIMER_HOP_MS + 5, 3 * MAX_TIMER_HOP_MS]) {
      const f = fakeSource();
      const clock = clockFrom(f.source);
      const fn = jest.fn();
      const t = clock.setTimer(fn, 365 * DAY);
      f.advance(after);
      t.cancel();
      f.advance(400 * DAY);
      expect(fn).not.toHaveBeenCalled();
      expect(f.pending.size).toBe(0);
    }
  });

  it('fires a negative or NaN delay as soon as possible and never an infinite one', () => {
    const f = fakeSource();
    const clock = clockFrom(f.source);
    const fn = jest.fn();
    clock.setTimer(fn, -5);
    clock.setTimer(fn, Number.NaN);
    const never = jest.fn();
    clock.setTimer(never, Number.POSITIVE_INFINITY).cancel();
    clock.setTimer(never, Number.POSITIVE_INFINITY);
    expect(fn).not.toHaveBeenCalled();
    f.advance(0);
    expect(fn).toHaveBeenCalledTimes(2);
    f.advance(100 * 365 * DAY);
    expect(never).not.toHaveBeenCalled();
  });
});

describe('repeatEvery', () => {
  it('repeats a period past the limit at every period, until cancelled', () => {
    const f = fakeSource();
    const clock = clockFrom(f.source);
    const start = clock.now();
    const at: number[] = [];
    const t = repeatEvery(clock, () => at.push(clock.now() - start), 30 * DAY);
    f.advance(95 * DAY);
    expect(at).toEqual([30 * DAY, 60 * DAY, 90 * DAY]);
    t.cancel();
    f.advance(100 * DAY);
    expect(at).toHaveLength(3);
    expect(f.pending.size).toBe(0);
  });
});

describe('systemClock', () => {
  it('does not fire a 365-day timer early (Node alone fires it after 1 ms)', async () => {
    const fn = jest.fn();
    const t = systemClock.setTimer(fn, 365 * DAY);
    await new Promise((r) => systemClock.setTimer(() => r(undefined), 50));
    expect(fn).not.toHaveBeenCalled();
    t.cancel();
  });
});
