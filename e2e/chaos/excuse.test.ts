import { brokeAt, excused, type FaultFacts } from '../src/chaos/excuse';
import type { Outcome } from '../src/chaos/outcome';

/** The excuse rule: no request fails while at least one tunnel stays healthy and the ingress knows it. */
describe('chaos excuse rule', () => {
  const failed = (startMs: number, gateway?: string, extra: Partial<Outcome> = {}): Outcome => ({
    kind: 'short',
    startMs,
    endMs: startMs + 50,
    ok: false,
    why: 'cut',
    ...(gateway !== undefined ? { gateway } : {}),
    ...extra,
  });
  // gw1 broken at 1000, the ingress knew at 3000, converged at 9000; gw2 stayed up.
  const gw1: FaultFacts = {
    gateway: 'gw1',
    knewAtMs: 3_000,
    convergedAtMs: 9_000,
    otherTunnelWentDown: false,
  };

  it('excuses nothing for a fault that breaks no tunnel', () => {
    expect(
      excused(failed(2_000, 'gw1'), { convergedAtMs: 9_000, otherTunnelWentDown: false }),
    ).toBe(false);
    expect(excused(failed(2_000), { convergedAtMs: 9_000, otherTunnelWentDown: true })).toBe(false);
  });

  it('excuses a failure over the faulted gateway that started before convergence', () => {
    // After the ingress knew: the gateway came back and broke again (a fault repeated).
    expect(excused(failed(5_000, 'gw1'), gw1)).toBe(true);
    expect(excused(failed(500, 'gw1'), gw1)).toBe(true);
    expect(excused(failed(9_000, 'gw1'), gw1)).toBe(false);
    expect(excused(failed(12_000, 'gw1'), gw1)).toBe(false);
  });

  it('does not excuse a failure over the healthy gateway', () => {
    expect(excused(failed(2_000, 'gw2'), gw1)).toBe(false);
    expect(excused(failed(5_000, 'gw2'), gw1)).toBe(false);
    expect(excused(failed(2_000, 'gw2'), { ...gw1, knewAtMs: undefined })).toBe(false);
  });

  it('excuses a failure over the other gateway when its tunnel went down too', () => {
    expect(excused(failed(5_000, 'gw2'), { ...gw1, otherTunnelWentDown: true })).toBe(true);
  });

  it('judges a failure with no gateway known by when the ingress knew', () => {
    expect(excused(failed(2_999), gw1)).toBe(true);
    expect(excused(failed(3_000), gw1)).toBe(false);
    expect(excused(failed(5_000), { ...gw1, otherTunnelWentDown: true })).toBe(true);
    const neverKnew: FaultFacts = {
      gateway: 'gw1',
      convergedAtMs: 9_000,
      otherTunnelWentDown: false,
    };
    expect(excused(failed(8_999), neverKnew)).toBe(true);
    expect(excused(failed(9_000), neverKnew)).toBe(false);
  });

  it('keeps the connector-down clause: before convergence, except a stream the drain promised', () => {
    const all = { faultAtMs: 1_000, drainMs: 10_000, streamMs: 4_000 };
    const down: FaultFacts = { convergedAtMs: 9_000, otherTunnelWentDown: true, all };
    expect(excused(failed(2_000, 'gw2'), down)).toBe(true);
    expect(excused(failed(2_000), down)).toBe(true);
    expect(excused(failed(9_500, 'gw1'), down)).toBe(false);
    const promised = failed(500, 'gw1', { kind: 'stream', endMs: 3_000, sent: 4096 });
    expect(excused(promised, down)).toBe(false);
    const unstarted = failed(500, 'gw1', { kind: 'stream', endMs: 3_000, sent: 0 });
    expect(excused(unstarted, down)).toBe(true);
    const noDrain: FaultFacts = { ...down, all: { faultAtMs: 1_000, streamMs: 4_000 } };
    expect(excused(promised, noDrain)).toBe(true);
  });

  describe('when a failed request broke (the fault window it belongs to)', () => {
    it('a short request: within half a second of when it was sent, or when it ended', () => {
      expect(brokeAt({ kind: 'short', startMs: 1_000, endMs: 11_000, ok: false })).toBe(1_500);
      expect(brokeAt({ kind: 'short', startMs: 1_000, endMs: 1_040, ok: false })).toBe(1_040);
    });
    it('a short request in flight when the next fault is injected belongs to that fault', () => {
      // A CI run: an openvpn SIGKILL converged after 0.5 s; 6.47 s on, with the baseline and the
      // settle time between, its tunnel's openvpn was frozen. A GET sent 4 ms before that got no
      // answer for 10 s: the freeze broke it, and its window is the freeze's.
      const nextFaultAt = 6_470;
      const x = { kind: 'short' as const, startMs: 6_466, endMs: 16_480, ok: false };
      expect(brokeAt(x)).toBeGreaterThanOrEqual(nextFaultAt);
    });
    it('a stream: within a second of its last byte, however much later it surfaced', () => {
      const s = { kind: 'stream' as const, startMs: 0, endMs: 17_000, ok: false };
      expect(brokeAt({ ...s, lastProgressMs: 3_000 })).toBe(4_000);
      expect(brokeAt({ ...s, lastProgressMs: 16_500 })).toBe(17_000);
      expect(brokeAt(s)).toBe(17_000);
    });
  });
});
