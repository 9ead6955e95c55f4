import { LEVELS } from '../query/log-filter';

/** The component name of the forwarder's own log lines (never forwarded: see selectForForward). */
export const FORWARD_COMPONENT = 'forward';

/** pino writes `level` right after the stamped `logId` (and `time`): found without a parse. */
const LEVEL_FIELD = /"level":(?:"([a-z]+)"|(\d+))/;

/** The line's level number, or undefined when it has none the service knows. */
export function levelOf(line: string): number | undefined {
  const m = LEVEL_FIELD.exec(line);
  if (!m) return undefined;
  return m[1] !== undefined ? LEVELS[m[1]] : Number(m[2]);
}

/**
 * The entry to forward for a durable line, or undefined when it is below `minLevel`, is not a
 * JSON object, or is one of the logging service's own forwarding lines (forwarding those would
 * feed every failure back into the queue it is about).
 */
export function selectForForward(
  service: string,
  line: string,
  minLevel: number,
): Record<string, unknown> | undefined {
  const level = levelOf(line);
  if (level === undefined || level < minLevel) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const entry = v as Record<string, unknown>;
  if (service === 'logging' && entry.component === FORWARD_COMPONENT) return undefined;
  return typeof entry.service === 'string' ? entry : { ...entry, service };
}
