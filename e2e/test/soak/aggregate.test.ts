import type { FaultResult } from '../../src/chaos';
import { median, summarizeFaults } from '../../src/soak/aggregate';
import { readGauge } from '../../src/soak/sampler';

const run = (fault: string, o: Partial<FaultResult> = {}): FaultResult => ({
  fault,
  failed: 0,
  failures: [],
  requests: 10,
  altered: 0,
  transitions: [],
  before: {},
  after: {},
  ...o,
});

describe('soak aggregation over rounds', () => {
  it('medians', () => {
    expect(median([])).toBeUndefined();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('sums the counts and spreads the times per fault, in first-run order', () => {
    const failure = (excused: boolean) => ({
      kind: 'short',
      startMs: 0,
      endMs: 1,
      why: 'x',
      excused,
    });
    const s = summarizeFaults([
      run('b', {
        failed: 2,
        failures: [failure(true), failure(false)],
        firstSuccessAfterMs: 900,
        bothTunnelsAfterMs: 5000,
      }),
      run('a', { firstSuccessAfterMs: 100 }),
      run('b', {
        failed: 1,
        failures: [failure(true)],
        altered: 1,
        firstSuccessAfterMs: 300,
        bothTunnelsAfterMs: 7000,
      }),
      run('b', { error: 'not converged within 120 s', firstSuccessAfterMs: 600 }),
    ]);
    expect(s.map((x) => x.fault)).toEqual(['b', 'a']);
    expect(s[0]).toEqual({
      fault: 'b',
      count: 3,
      failed: 3,
      requests: 30,
      unexcused: 1,
      altered: 1,
      errors: 1,
      firstSuccessMs: { median: 600, max: 900 },
      bothTunnelsMs: { median: 6000, max: 7000 },
    });
    expect(s[1]).toMatchObject({
      count: 1,
      firstSuccessMs: { median: 100, max: 100 },
      bothTunnelsMs: {},
    });
  });
});

describe('reading a service gauge from /metrics', () => {
  const text = [
    '# HELP nodejs_heap_size_used_bytes Process heap size used from Node.js in bytes.',
    '# TYPE nodejs_heap_size_used_bytes gauge',
    'nodejs_heap_size_used_bytes{service="pop-manager"} 12345678',
    'pa_pop_manager_nodejs_eventloop_lag_p99_seconds 1',
    'nodejs_eventloop_lag_p99_seconds{service="pop-manager"} 0.0123',
    'nodejs_eventloop_lag_p90_seconds{service="pop-manager"} 0.011',
  ].join('\n');

  it('finds it by its standard name, whatever its labels', () => {
    expect(readGauge(text, 'nodejs_heap_size_used_bytes')).toBe(12345678);
    expect(readGauge(text, 'nodejs_eventloop_lag_p99_seconds')).toBe(0.0123);
    expect(readGauge(text, 'nodejs_eventloop_lag_p50_seconds')).toBeUndefined();
  });
});
