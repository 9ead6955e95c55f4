import { SilenceDetector } from '../../../src/edge/silence-detector';

describe('silence detector', () => {
  it('measures from the last change of the byte counter', () => {
    const d = new SilenceDetector(1_000);
    expect(d.silentFor(1_250)).toBe(250);
    d.observe(100, 1_250);
    d.observe(100, 1_500);
    expect(d.silentFor(1_750)).toBe(500);
    d.observe(180, 2_000);
    expect(d.silentFor(2_000)).toBe(0);
    d.observe(180, 2_250);
    d.observe(180, 3_500);
    expect(d.silentFor(3_500)).toBe(1_500);
  });

  it('counts from the start when no reading ever came', () => {
    const d = new SilenceDetector(0);
    expect(d.silentFor(1_600)).toBe(1_600);
  });

  it('a counter that starts over (a new connection) is a change too', () => {
    const d = new SilenceDetector(0);
    d.observe(5_000, 100);
    d.observe(40, 900);
    expect(d.silentFor(1_000)).toBe(100);
  });
});
