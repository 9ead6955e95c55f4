import { formatPairs, formatTable } from '../../../src/format/table';
import { formatAge, formatBytes, formatSeconds } from '../../../src/format/units';

describe('formatTable', () => {
  it('pads every column to its widest cell, right-aligns numbers and trims line ends', () => {
    const out = formatTable(
      [{ header: 'NAME' }, { header: 'PORT', align: 'right' }, { header: 'NOTE' }],
      [
        ['connector', '443', 'ok'],
        ['gw', '1194', ''],
      ],
    );
    expect(out.split('\n')).toEqual([
      'NAME       PORT  NOTE',
      'connector   443  ok',
      'gw         1194',
    ]);
  });

  it('keeps a row on one line when a cell holds line breaks or tabs', () => {
    const out = formatTable([{ header: 'A' }, { header: 'B' }], [['x\ny', 'p\tq']]);
    expect(out.split('\n')).toEqual(['A    B', 'x y  p q']);
  });

  it('fills missing cells with blanks', () => {
    expect(formatTable([{ header: 'A' }, { header: 'B' }], [['long value']]).split('\n')).toEqual([
      'A           B',
      'long value',
    ]);
  });

  it('aligns key/value pairs', () => {
    expect(
      formatPairs([
        ['POP', 'edge-1'],
        ['reported', 'now'],
      ]),
    ).toBe('POP:       edge-1\nreported:  now');
  });
});

describe('units', () => {
  it('formats bytes, durations and ages', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(undefined)).toBe('-');
    expect(formatSeconds(59)).toBe('59s');
    expect(formatSeconds(3 * 86_400 + 4 * 3600)).toBe('3d 4h');
    const now = new Date('2026-01-01T00:01:05Z');
    expect(formatAge('2026-01-01T00:00:00Z', now)).toBe('1m 5s ago');
    expect(formatAge('not a time', now)).toBe('-');
  });
});
