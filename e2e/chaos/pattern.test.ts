import { firstMismatch, patternChunk } from '../src/chaos/pattern';

/** The echo check of the chaos load: it must see a byte altered, dropped, repeated or swapped. */
describe('chaos stream pattern', () => {
  const seed = 7;
  const sent = Buffer.concat([patternChunk(seed, 0, 1000), patternChunk(seed, 1000, 3000)]);

  it('accepts the pattern received in any chunking', () => {
    expect(firstMismatch(seed, 0, sent.subarray(0, 10))).toBe(-1);
    expect(firstMismatch(seed, 10, sent.subarray(10, 2500))).toBe(-1);
    expect(firstMismatch(seed, 2500, sent.subarray(2500))).toBe(-1);
  });

  it('names the first altered byte', () => {
    const altered = Buffer.from(sent);
    altered[1234] = (altered[1234] ?? 0) ^ 1;
    expect(firstMismatch(seed, 0, altered)).toBe(1234);
  });

  it('sees a dropped, a repeated 256-byte block and swapped blocks', () => {
    const dropped = Buffer.concat([sent.subarray(0, 500), sent.subarray(501)]);
    expect(firstMismatch(seed, 0, dropped)).toBe(500);
    const repeated = Buffer.concat([sent.subarray(0, 512), sent.subarray(256)]);
    expect(firstMismatch(seed, 0, repeated)).toBe(512);
    const swapped = Buffer.concat([sent.subarray(256, 512), sent.subarray(0, 256)]);
    expect(firstMismatch(seed, 0, swapped)).toBe(0);
  });

  it('tells one stream from another', () => {
    expect(firstMismatch(seed + 1, 0, sent.subarray(0, 100))).toBe(0);
  });
});
