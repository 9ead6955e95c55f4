const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Parses `90`, `30s`, `10m`, `12h`, `90d` into whole seconds (> 0). Returns undefined for
 * anything else so callers can name the setting in their error.
 */
export function parseDurationSeconds(text: string | number): number | undefined {
  if (typeof text === 'number') {
    return Number.isInteger(text) && text > 0 ? text : undefined;
  }
  const m = /^\s*(\d+)\s*([smhd]?)\s*$/.exec(text);
  if (!m) return undefined;
  const value = Number(m[1]) * (UNIT_SECONDS[m[2] || 's'] ?? 1);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}
