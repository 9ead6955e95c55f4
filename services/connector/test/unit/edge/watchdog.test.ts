import { FakeClock } from '@pa-connector/test-support';
import { Watchdog } from '../../../src/edge/watchdog';

function setup(random = () => 0.5) {
  const clock = new FakeClock();
  const starts: number[] = [];
  const stuck: number[] = [];
  const w = new Watchdog({
    clock,
    random,
    backoff: { initialMs: 1_000, maxMs: 8_000 },
    connectTimeoutMs: 30_000,
    start: () => starts.push(clock.now()),
    stuck: (ms) => stuck.push(ms),
  });
  return { clock, starts, stuck, w };
}

describe('tunnel watchdog (fake clock)', () => {
  it('starts openvpn again after a capped, jittered, growing delay', async () => {
    const { clock, starts, w } = setup(() => 0.5);
    const t0 = clock.now();
    const delays = [1, 2, 3, 4, 5, 6].map(() => {
      const d = w.exited();
      return d;
    });
    // Equal jitter: 3/4 of each step with random 0.5; the step doubles up to the 8 s cap.
    expect(delays).toEqual([750, 1500, 3000, 6000, 6000, 6000]);
    // Only the latest restart is pending.
    expect(clock.pending()).toEqual([6000]);
    await clock.advance(6_000);
    expect(starts).toEqual([t0 + 6_000]);
  });

  it('jitter stays within half a step and the step', () => {
    const lo = setup(() => 0).w;
    const hi = setup(() => 0.999999).w;
    expect([lo.exited(), lo.exited(), lo.exited()]).toEqual([500, 1000, 2000]);
    expect([hi.exited(), hi.exited(), hi.exited()]).toEqual([1000, 2000, 4000]);
  });

  it('a connection resets the backoff', async () => {
    const { clock, w } = setup();
    w.exited();
    w.exited();
    expect(w.failures).toBe(2);
    await clock.advance(10_000);
    w.connecting();
    w.connected();
    expect(w.failures).toBe(0);
    expect(w.exited()).toBe(750);
  });

  it('restarts a tunnel stuck connecting beyond the limit, not before', async () => {
    const { clock, stuck, w } = setup();
    w.connecting();
    await clock.advance(20_000);
    // More connecting states do not push the deadline out.
    w.connecting();
    await clock.advance(9_999);
    expect(stuck).toEqual([]);
    await clock.advance(1);
    expect(stuck).toEqual([30_000]);
  });

  it('a connection in time disarms the stuck timer; so does an exit', async () => {
    const { clock, stuck, w } = setup();
    w.connecting();
    await clock.advance(29_000);
    w.connected();
    await clock.advance(60_000);
    w.connecting();
    w.exited();
    await clock.advance(60_000);
    expect(stuck).toEqual([]);
  });

  it('does nothing once stopped', async () => {
    const { clock, starts, stuck, w } = setup();
    w.connecting();
    w.exited();
    w.stop();
    w.connecting();
    expect(w.exited()).toBe(0);
    await clock.advance(120_000);
    expect(starts).toEqual([]);
    expect(stuck).toEqual([]);
    expect(clock.pending()).toEqual([]);
  });

  it('restartNow starts openvpn at once, without counting a failure or growing the backoff', async () => {
    const { clock, starts, w } = setup();
    w.exited();
    expect(w.failures).toBe(1);
    w.connecting();
    w.restartNow();
    // The pending backoff restart and the stuck timer give way to one start now.
    expect(clock.pending()).toEqual([0]);
    await clock.advance(0);
    expect(starts).toEqual([clock.now()]);
    expect(w.failures).toBe(1);
    w.stop();
    w.restartNow();
    expect(clock.pending()).toEqual([]);
  });
});
