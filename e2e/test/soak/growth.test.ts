import { GROWTH_RULES, judgeGrowth } from '../../src/soak/growth';

const rule = { intervals: 3, minGrowth: 10, minFraction: 0.05 };

describe('the soak growth rule', () => {
  it('flags k rises in a row whose total passes both margins', () => {
    expect(judgeGrowth([100, 110, 120, 130], rule)).toEqual({
      judged: true,
      grows: true,
      growth: 30,
      from: 100,
      to: 130,
    });
    // Only the last k + 1 samples count: an early dip does not hide a leak.
    expect(judgeGrowth([500, 100, 110, 120, 130], rule)).toMatchObject({ grows: true });
  });

  it('does not flag a plateau, a dip or a fall among the last k intervals', () => {
    expect(judgeGrowth([100, 110, 110, 130], rule)).toMatchObject({ judged: true, grows: false });
    expect(judgeGrowth([100, 120, 115, 130], rule)).toMatchObject({ judged: true, grows: false });
    // One big step, then flat: a new steady state.
    expect(judgeGrowth([100, 100, 200, 200, 200], rule)).toMatchObject({ grows: false });
    // Rose earlier, not in the last k intervals.
    expect(judgeGrowth([100, 110, 120, 130, 129], rule)).toMatchObject({ grows: false });
  });

  it('does not flag rises below either margin', () => {
    // Below the absolute margin (9 < 10).
    expect(judgeGrowth([1, 4, 7, 10], rule)).toMatchObject({ judged: true, grows: false });
    // Above 10 but below 5 % of 1000.
    expect(judgeGrowth([1000, 1010, 1020, 1030], rule)).toMatchObject({ grows: false });
    expect(judgeGrowth([1000, 1020, 1040, 1060], rule)).toMatchObject({ grows: true });
  });

  it('does not judge too few samples or a missing one', () => {
    expect(judgeGrowth([100, 200, 300], rule)).toEqual({ judged: false, why: '3 of 4 samples' });
    expect(judgeGrowth([100, 200, undefined, 400], rule)).toEqual({
      judged: false,
      why: 'a sample is missing',
    });
    // A missing value before the last k + 1 does not matter.
    expect(judgeGrowth([undefined, 100, 200, 300, 400], rule)).toMatchObject({ grows: true });
  });

  it('does not judge across a restart of the process among the last k + 1 samples', () => {
    expect(judgeGrowth([100, 110, 120, 130], rule, [7, 7, 8, 8])).toEqual({
      judged: false,
      why: 'restarted meanwhile',
    });
    // A restart before the window does not matter.
    expect(judgeGrowth([90, 100, 110, 120, 130], rule, [6, 7, 7, 7, 7])).toMatchObject({
      grows: true,
    });
  });

  it('the rules of the four resources: three rises, margins that the load alone does not reach', () => {
    const MiB = 1024 * 1024;
    const rss = GROWTH_RULES.rssBytes;
    expect(
      judgeGrowth(
        [100, 102, 104, 107].map((m) => m * MiB),
        rss,
      ),
    ).toMatchObject({
      grows: false,
    });
    expect(
      judgeGrowth(
        [100, 103, 106, 109].map((m) => m * MiB),
        rss,
      ),
    ).toMatchObject({
      grows: true,
    });
    expect(judgeGrowth([40, 45, 50, 55], GROWTH_RULES.fds)).toMatchObject({ grows: false });
    expect(judgeGrowth([40, 46, 52, 58], GROWTH_RULES.fds)).toMatchObject({ grows: true });
    expect(judgeGrowth([10, 20, 25, 29], GROWTH_RULES.eventLoopP99Ms)).toMatchObject({
      grows: false,
    });
  });
});
