import { inWindow, msUntilWindow, parseUpdateWindow } from '../../src/schedule/update-window';

const at = (iso: string) => new Date(iso);
const window = (text: string) => {
  const w = parseUpdateWindow(text);
  if (!w) throw new Error(`no window from ${text}`);
  return w;
};

describe('parseUpdateWindow', () => {
  it('reads HH:MM-HH:MM as minutes after midnight UTC', () => {
    expect(parseUpdateWindow('02:00-04:30')).toEqual({ start: 120, end: 270, text: '02:00-04:30' });
    expect(parseUpdateWindow(' 22:15-01:05\n')).toEqual({
      start: 1335,
      end: 65,
      text: '22:15-01:05',
    });
    expect(parseUpdateWindow('00:00-23:59')).toEqual({ start: 0, end: 1439, text: '00:00-23:59' });
  });

  it.each([undefined, '', '   '])('gives no window (any time) for %j', (text) => {
    expect(parseUpdateWindow(text)).toBeUndefined();
  });

  it.each([
    '2:00-04:00',
    '24:00-01:00',
    '02:60-03:00',
    '02:00 - 04:00',
    '02:00',
    'nightly',
    '02:00-04:00Z',
  ])('refuses %j with an example of the format', (text) => {
    expect(() => parseUpdateWindow(text)).toThrow(`"${text}" is not a window like 02:00-04:00`);
  });

  it('refuses a window that starts where it ends', () => {
    expect(() => parseUpdateWindow('03:00-03:00')).toThrow('is an empty window');
  });
});

describe('inWindow', () => {
  it('is always true without a window', () => {
    expect(inWindow(undefined, at('2030-01-01T12:34:56Z'))).toBe(true);
  });

  it('includes the start minute and excludes the end minute', () => {
    const w = window('02:00-04:00');
    expect(inWindow(w, at('2030-01-01T01:59:59.999Z'))).toBe(false);
    expect(inWindow(w, at('2030-01-01T02:00:00Z'))).toBe(true);
    expect(inWindow(w, at('2030-01-01T03:59:59.999Z'))).toBe(true);
    expect(inWindow(w, at('2030-01-01T04:00:00Z'))).toBe(false);
    expect(inWindow(w, at('2030-01-01T14:00:00Z'))).toBe(false);
  });

  it('wraps midnight', () => {
    const w = window('22:00-02:00');
    expect(inWindow(w, at('2030-01-01T21:59:00Z'))).toBe(false);
    expect(inWindow(w, at('2030-01-01T22:00:00Z'))).toBe(true);
    expect(inWindow(w, at('2030-01-01T23:59:59Z'))).toBe(true);
    expect(inWindow(w, at('2030-01-02T00:00:00Z'))).toBe(true);
    expect(inWindow(w, at('2030-01-02T01:59:00Z'))).toBe(true);
    expect(inWindow(w, at('2030-01-02T02:00:00Z'))).toBe(false);
    expect(inWindow(w, at('2030-01-02T12:00:00Z'))).toBe(false);
  });

  it('reads the time in UTC whatever offset the date was written with', () => {
    const w = window('02:00-04:00');
    // 03:30 in UTC+2 is 01:30 UTC; 05:30 in UTC+2 is 03:30 UTC.
    expect(inWindow(w, at('2030-01-01T03:30:00+02:00'))).toBe(false);
    expect(inWindow(w, at('2030-01-01T05:30:00+02:00'))).toBe(true);
  });
});

describe('msUntilWindow', () => {
  const min = 60_000;

  it('is 0 without a window and inside one', () => {
    expect(msUntilWindow(undefined, at('2030-01-01T12:00:00Z'))).toBe(0);
    expect(msUntilWindow(window('02:00-04:00'), at('2030-01-01T02:00:00Z'))).toBe(0);
    expect(msUntilWindow(window('22:00-02:00'), at('2030-01-01T01:30:00Z'))).toBe(0);
  });

  it('counts down to the start, to the millisecond', () => {
    const w = window('02:00-04:00');
    expect(msUntilWindow(w, at('2030-01-01T01:59:30.250Z'))).toBe(29_750);
    expect(msUntilWindow(w, at('2030-01-01T01:59:59.999Z'))).toBe(1);
    expect(msUntilWindow(w, at('2030-01-01T00:00:00Z'))).toBe(120 * min);
  });

  it('waits for the next day once the window has closed', () => {
    expect(msUntilWindow(window('02:00-04:00'), at('2030-01-01T04:00:00Z'))).toBe(22 * 60 * min);
    expect(msUntilWindow(window('22:00-02:00'), at('2030-01-01T02:00:00Z'))).toBe(20 * 60 * min);
    expect(msUntilWindow(window('22:00-02:00'), at('2030-01-01T21:59:00.500Z'))).toBe(min - 500);
  });

  it.each(['02:00-04:00', '22:00-02:00', '00:00-00:01', '23:59-00:00', '12:30-12:29'])(
    'lands exactly on the opening of %s from any time of day',
    (text) => {
      const w = window(text);
      const day = Date.parse('2030-01-01T00:00:00Z');
      // Every 7 minutes and 13.5 seconds over two days: all hours, odd seconds and milliseconds.
      for (let t = day; t < day + 2 * 86_400_000; t += 433_500) {
        const now = new Date(t);
        const wait = msUntilWindow(w, now);
        if (inWindow(w, now)) {
          expect(wait).toBe(0);
          continue;
        }
        expect(wait).toBeGreaterThan(0);
        expect(wait).toBeLessThan(86_400_000);
        expect(inWindow(w, new Date(t + wait))).toBe(true);
        expect(inWindow(w, new Date(t + wait - 1))).toBe(false);
        expect(new Date(t + wait).getUTCHours() * 60 + new Date(t + wait).getUTCMinutes()).toBe(
          w.start,
        );
      }
    },
  );
});
