import type { Clock } from '@pa-connector/service-runtime';

/**
 * Time that jumps to the next timer once everything else has run: timers fire in the order of
 * their deadlines (unlike a clock that fires each at once), so a renewal due in 7 minutes comes
 * after a poll due in 1 s, and a cancelled one never fires.
 */
export function steppingClock(
  start = Date.parse('2026-11-23T03:00:00Z'),
  /** Timers due later never fire: a timer that re-arms itself forever ends with the test. */
  horizonMs = 86_400_000,
): Clock {
  let now = start;
  let seq = 0;
  const timers: Array<{ due: number; seq: number; fn: () => void }> = [];
  let scheduled = false;
  const step = () => {
    scheduled = false;
    timers.sort((a, b) => a.due - b.due || a.seq - b.seq);
    const t = timers.shift();
    if (!t || t.due > start + horizonMs) return;
    now = Math.max(now, t.due);
    t.fn();
    schedule();
  };
  const schedule = () => {
    if (scheduled || timers.length === 0) return;
    scheduled = true;
    setImmediate(step);
  };
  return {
    now: () => now,
    setTimer(fn, ms) {
      const t = { due: now + Math.max(0, ms), seq: seq++, fn };
      timers.push(t);
      schedule();
      return {
        cancel() {
          const i = timers.indexOf(t);
          if (i >= 0) timers.splice(i, 1);
        },
      };
    },
  };
}
