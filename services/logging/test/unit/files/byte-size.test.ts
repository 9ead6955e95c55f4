import { ConfigError } from '@pa-connector/config';
import { byteSize, formatByteSize, parseByteSize } from '../../../src/files/byte-size';

describe('byte sizes', () => {
  it.each([
    ['512', 512],
    ['64KiB', 65_536],
    ['10 MiB', 10_485_760],
    ['10MB', 10_485_760],
    ['1gib', 1_073_741_824],
    ['1.5k', 1_536],
  ])('parses %s', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it.each(['', 'ten', '10 parsecs', '-1', '1e3'])('refuses %j', (text) => {
    expect(parseByteSize(text)).toBeUndefined();
  });

  it('formats in the largest exact unit', () => {
    expect(formatByteSize(10 * 1024 ** 2)).toBe('10MiB');
    expect(formatByteSize(1500)).toBe('1500B');
  });

  it('is a setting that names itself when wrong', () => {
    const s = byteSize({ env: 'PA_X', description: 'x', default: 2048, min: 1024 });
    expect(s.defaultText).toBe('2KiB');
    expect(s.read({})).toBe(2048);
    expect(s.read({ PA_X: '4KiB' })).toBe(4096);
    expect(() => s.read({ PA_X: 'lots' })).toThrow(
      new ConfigError('PA_X', 'must be a size like 512KiB, 10MiB or 1GiB, got "lots"'),
    );
    expect(() => s.read({ PA_X: '10' })).toThrow(/PA_X: must be at least 1KiB/);
  });
});
