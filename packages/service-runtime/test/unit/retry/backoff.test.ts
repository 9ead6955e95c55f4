import { backoffDelay, backoffStep } from '../../../src/retry/backoff';

const policy = { initialMs: 1_000, maxMs: 30_000 };

describe('backoff', () => {
  it('doubles per attempt, up to the cap', () => {
    const max = (a: number) => backoffDelay(a, policy, () => 0.999999);
    expect([1, 2, 3, 4, 5, 6, 7, 50].map(max)).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
  });

  it('jitters between half the step and the step by default', () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(2000);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(3000);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(20, policy, Math.random);
      expect(d).toBeGreaterThanOrEqual(15_000);
      expect(d).toBeLessThanOrEqual(30_000);
    }
  });

  it('takes another factor and jitter share', () => {
    const p = { initialMs: 100, maxMs: 10_000, factor: 3, jitter: 0.2 };
    expect([1, 2, 3].map((a) => backoffStep(a, p))).toEqual([100, 300, 900]);
    expect(backoffDelay(3, p, () => 0)).toBe(720);
    expect(backoffDelay(3, p, () => 0.5)).toBe(810);
  });

  it('without jitter is a fixed schedule and draws no random number', () => {
    const fixed = { initialMs: 200, maxMs: 5_000, jitter: 0 };
    const random = () => {
      throw new Error('no random number wanted');
    };
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, fixed, random))).toEqual([
      200, 400, 800, 1600, 3200, 5000,
    ]);
  });

  it('stays finite for attempts of a retry loop that runs for years', () => {
    expect(backoffStep(10_000_000, policy)).toBe(30_000);
    expect(backoffStep(10_000_000, { initialMs: 0, maxMs: 5 })).toBe(0);
    expect(backoffStep(0, policy)).toBe(1_000);
  });
});
