import { type LogFileInfo, planRetention } from '../../../src/files/retention';

const DAY = 86_400_000;
const now = 100 * DAY;

function file(
  service: string,
  seq: number | 'active',
  bytes: number,
  ageDays: number,
): LogFileInfo {
  return {
    name: seq === 'active' ? `${service}.log` : `${service}.log.${String(seq).padStart(6, '0')}`,
    service,
    kind: seq === 'active' ? 'active' : 'rotated',
    seq: seq === 'active' ? Number.MAX_SAFE_INTEGER : seq,
    bytes,
    mtimeMs: now - ageDays * DAY,
  };
}

const loose = { keepFiles: 100, maxAgeMs: 365 * DAY, maxTotalBytes: 1e12 };

describe('planRetention', () => {
  it('keeps the newest keepFiles rotated files per service', () => {
    const files = [
      file('a', 'active', 10, 0),
      file('a', 1, 10, 3),
      file('a', 2, 10, 2),
      file('a', 3, 10, 1),
      file('b', 1, 10, 5),
    ];
    expect(planRetention(files, { ...loose, keepFiles: 2 }, now)).toEqual([
      { name: 'a.log.000001', reason: 'count' },
    ]);
    expect(
      planRetention(files, { ...loose, keepFiles: 0 }, now)
        .map((d) => d.name)
        .sort(),
    ).toEqual(['a.log.000001', 'a.log.000002', 'a.log.000003', 'b.log.000001']);
  });

  it('deletes rotated files older than the age, never an active one', () => {
    const files = [file('a', 'active', 10, 30), file('a', 1, 10, 8), file('a', 2, 10, 6)];
    expect(planRetention(files, { ...loose, maxAgeMs: 7 * DAY }, now)).toEqual([
      { name: 'a.log.000001', reason: 'age' },
    ]);
  });

  it('deletes the oldest rotated files across services until the total fits', () => {
    const files = [
      file('a', 'active', 100, 0),
      file('b', 'active', 100, 0),
      file('a', 1, 100, 4),
      file('b', 1, 100, 3),
      file('a', 2, 100, 2),
      file('b', 2, 100, 1),
    ];
    expect(planRetention(files, { ...loose, maxTotalBytes: 400 }, now)).toEqual([
      { name: 'a.log.000001', reason: 'size' },
      { name: 'b.log.000001', reason: 'size' },
    ]);
    // Active files alone over the bound: every rotated file goes, the active ones stay.
    expect(planRetention(files, { ...loose, maxTotalBytes: 50 }, now)).toHaveLength(4);
  });

  it('applies age, then count, then size, each file once', () => {
    const files = [
      file('a', 'active', 100, 0),
      file('a', 1, 100, 20),
      file('a', 2, 100, 3),
      file('a', 3, 100, 2),
      file('a', 4, 100, 1),
    ];
    expect(
      planRetention(files, { keepFiles: 2, maxAgeMs: 10 * DAY, maxTotalBytes: 250 }, now),
    ).toEqual([
      { name: 'a.log.000001', reason: 'age' },
      { name: 'a.log.000002', reason: 'count' },
      { name: 'a.log.000003', reason: 'size' },
    ]);
  });
});
