/** Minutes after midnight UTC: a window may wrap midnight (22:00-02:00). */
export interface UpdateWindow {
  start: number;
  end: number;
  text: string;
}

export const WINDOW_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;

/** `HH:MM-HH:MM` (UTC) to a window; undefined for no window (any time). */
export function parseUpdateWindow(text: string | undefined): UpdateWindow | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const m = WINDOW_PATTERN.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a window like 02:00-04:00 (UTC)`);
  const [, h1, m1, h2, m2] = m.map(Number) as [number, number, number, number, number];
  const start = h1 * 60 + m1;
  const end = h2 * 60 + m2;
  if (start === end) throw new Error(`"${text}" is an empty window: start and end are the same`);
  return { start, end, text: text.trim() };
}

/** True when `at` falls in the window (start included, end excluded). */
export function inWindow(w: UpdateWindow | undefined, at: Date): boolean {
  if (!w) return true;
  const minute = at.getUTCHours() * 60 + at.getUTCMinutes();
  return w.start < w.end
    ? minute >= w.start && minute < w.end
    : minute >= w.start || minute < w.end;
}

/** Milliseconds from `at` until the window next opens (0 inside it). */
export function msUntilWindow(w: UpdateWindow | undefined, at: Date): number {
  if (inWindow(w, at) || !w) return 0;
  const minuteMs = at.getUTCSeconds() * 1000 + at.getUTCMilliseconds();
  const minute = at.getUTCHours() * 60 + at.getUTCMinutes();
  const minutes = (w.start - minute + 1440) % 1440;
  return minutes * 60_000 - minuteMs;
}
