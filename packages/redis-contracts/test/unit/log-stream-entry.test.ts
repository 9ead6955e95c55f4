import { compareStreamIds, decodeLogStreamEntry } from '../../src';

describe('log stream entries', () => {
  it('decodes the field list Redis returns, ignoring fields it does not know', () => {
    expect(decodeLogStreamEntry('1-0', ['service', 'update', 'x', 'y', 'line', '{}'])).toEqual({
      id: '1-0',
      service: 'update',
      line: '{}',
    });
  });

  it('an entry without its service or its line is undefined, not an error', () => {
    expect(decodeLogStreamEntry('1-0', ['line', '{}'])).toBeUndefined();
    expect(decodeLogStreamEntry('1-0', ['service', 'update'])).toBeUndefined();
    expect(decodeLogStreamEntry('1-0', ['service', 'update', 'line'])).toBeUndefined();
  });

  it('orders stream ids numerically, not as text', () => {
    expect(compareStreamIds('999-0', '1000-0')).toBeLessThan(0);
    expect(compareStreamIds('1000-10', '1000-9')).toBeGreaterThan(0);
    expect(compareStreamIds('5-5', '5-5')).toBe(0);
  });
});
