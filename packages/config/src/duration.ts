/**
 * The longest delay Node's timers honour (2^31-1 ms, 24.8 days): past it `setTimeout` and
 * `socket.setTimeout` fire after 1 ms.
 */
export const NODE_TIMER_LIMIT_MS = 2 ** 31 - 1;

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Parses `250ms`, `30s`, `5m`, `1h`, `90d` (or a bare number of seconds) into milliseconds.
 * Returns undefined when the text is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = UNITS[m[2] ?? 's'] as number;
  return Math.round(n * unit);
}

/** `1500` -> `1500ms`, `90000` -> `90s`, `3600000` -> `1h`: the largest unit that divides it. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNITS[unit] as number;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
