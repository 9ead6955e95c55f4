import { clockFrom, MAX_TIMER_HOP_MS } from '@pa-connector/service-runtime';
import { FakeClock } from '../../src/fake-clock';

const DAY = 86_400_000;

describe('FakeClock', () => {
  it('starts where it is told and moves only when advanced', async () => {
    const clock = new FakeClock(new Date('2031-05-06T07:08:09Z'));
    expect(clock.now()).toBe(Date.parse('2031-05-06T07:08:09Z'));
    await clock.advance(1_500);
    expect(clock.now()).toBe(Date.parse('2031-05-06T07:08:10.500Z'));
    const { now } = clock;
    expect(now()).toBe(clock.now());
  });

  it('fires due timers in time order, each at its own instant, and not the later ones', async () => {
    const clock = new FakeClock(0);
    const fired: Array<[string, number]> = [];
    clock.setTimer(() => fired.push(['b', clock.now()]), 200);
    clock.setTimer(() => fired.push(['a', clock.now()]), 100);
    clock.setTimer(() => fired.push(['late', clock.now()]), 301);
    expect(clock.pending()).toEqual([100, 200, 301]);
    await clock.advance(300);
    expect(fired).toEqual([
      ['a', 100],
      ['b', 200],
    ]);
    expect(clock.pending()).toEqual([1]);
  });

  it('fires a timer set by a firing timer when it falls due within the same advance', async () => {
    const clock = new FakeClock(0);
    const fired: number[] = [];
    clock.setTimer(() => clock.setTimer(() => fired.push(clock.now()), 50), 50);
    await clock.advance(100);
    expect(fired).toEqual([100]);
  });

  it('does not fire a cancelled timer, and treats a negative or NaN delay as now', async () => {
    const clock = new FakeClock(0);
    const fired: string[] = [];
    clock.setTimer(() => fired.push('cancelled'), 10).cancel();
    clock.setTimer(() => fired.push('negative'), -5);
    clock.setTimer(() => fired.push('nan'), Number.NaN);
    clock.setTimer(() => fired.push('never'), Number.POSITIVE_INFINITY);
    await clock.advance(0);
    expect(fired).toEqual(['negative', 'nan']);
  });

  it('lets work started by a timer finish before time moves on (settle)', async () => {
    const clock = new FakeClock(0);
    const seen: number[] = [];
    let work: Promise<void> = Promise.resolve();
    clock.setTimer(() => {
      work = new Promise((r) => setTimeout(r, 20)).then(() => {
        seen.push(clock.now());
      });
    }, 10);
    await clock.advance(1_000, { settle: () => work, rounds: 1 });
    expect(seen).toEqual([10]);
  });

  it('refuses to move backwards or by a non-number', async () => {
    const clock = new FakeClock(0);
    await expect(clock.advance(-1)).rejects.toThrow(
      /advance: ms must be a finite number >= 0, got -1/,
    );
    await expect(clock.advance(Number.NaN)).rejects.toThrow(/got NaN/);
  });

  it('waits in real time until a timer is set, and says so when none comes', async () => {
    const clock = new FakeClock(0);
    setTimeout(() => clock.setTimer(() => undefined, 5), 20);
    await clock.waitForTimer(2_000);
    expect(clock.pending()).toEqual([5]);
    await expect(new FakeClock(0).waitForTimer(30)).rejects.toThrow(
      /no timer was set within 30 ms/,
    );
  });

  it("is a TimerSource: clockFrom(fake) crosses a year in hops no longer than Node's limit", async () => {
    const source = new FakeClock(0);
    const clock = clockFrom(source);
    const fired: number[] = [];
    clock.setTimer(() => fired.push(source.now()), 365 * DAY);
    expect(source.pending()).toEqual([MAX_TIMER_HOP_MS]);
    await source.advance(365 * DAY);
    expect(fired).toEqual([365 * DAY]);
  });

  it('shows the emulator the same instant as a Date', async () => {
    const clock = new FakeClock(Date.parse('2030-01-01T00:00:00Z'));
    await clock.advance(61_000);
    expect(clock.dateClock.now().toISOString()).toBe('2030-01-01T00:01:01.000Z');
  });
});
