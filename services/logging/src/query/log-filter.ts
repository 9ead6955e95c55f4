import { CodedError, parseDuration } from '@pa-connector/config';
import { type Static, Type } from '@sinclair/typebox';
import { SERVICE_NAME } from '../files/log-file-names';

/** pino's level numbers, by the words the lines carry. */
export const LEVELS: Readonly<Record<string, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};

export interface LogFilter {
  /** Only these services (all when undefined). */
  services?: ReadonlySet<string>;
  /** Lines at this level or above. */
  minLevel?: number;
  /** Epoch ms bounds of the line's `time`, inclusive. */
  since?: number;
  until?: number;
  /** Case-insensitive text anywhere in the line. */
  text?: string;
}

/** The code of every refused query, a schema's refusal included. */
export const QUERY_ERROR_CODE = 'invalid_query';

export class QueryError extends CodedError {
  declare readonly code: typeof QUERY_ERROR_CODE;
  declare readonly retryable: false;

  constructor(message: string) {
    super(QUERY_ERROR_CODE, message);
  }
}

const MAX_LIMIT = 10_000;
const MAX_TEXT = 200;

/**
 * What a search says (the query string of `GET /logs`): `service` (comma-separated), `level`,
 * `since` and `until` (ISO 8601, or a duration such as `15m` meaning that long ago), `q` (text)
 * and `limit`. The schema checks each on its own; parseLogFilter what needs reading.
 */
export const LogQuery = Type.Object({
  service: Type.Optional(Type.String()),
  level: Type.Optional(
    Type.Unsafe<string>({ type: 'string', enum: Object.keys(LEVELS), description: 'a level' }),
  ),
  since: Type.Optional(Type.String()),
  until: Type.Optional(Type.String()),
  q: Type.Optional(Type.String({ maxLength: MAX_TEXT })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT })),
});
export type LogQuery = Static<typeof LogQuery>;

/**
 * Reads the filter from a search that passed its schema: service names, times and their order.
 * Throws QueryError naming the bad parameter.
 */
export function parseLogFilter(query: LogQuery, now: number): LogFilter & { limit: number } {
  const out: LogFilter & { limit: number } = { limit: query.limit ?? 100 };
  const service = query.service?.trim();
  if (service !== undefined) {
    const names = service
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const n of names) {
      if (!SERVICE_NAME.test(n))
        throw new QueryError(`service: not a service name: ${JSON.stringify(n)}`);
    }
    if (names.length > 0) out.services = new Set(names);
  }
  const minLevel = query.level === undefined ? undefined : LEVELS[query.level];
  if (minLevel !== undefined) out.minLevel = minLevel;
  const since = query.since?.trim();
  if (since !== undefined) out.since = parseTime('since', since, now);
  const until = query.until?.trim();
  if (until !== undefined) out.until = parseTime('until', until, now);
  if (out.since !== undefined && out.until !== undefined && out.since > out.until) {
    throw new QueryError('since: must not be after until');
  }
  const text = query.q?.trim();
  if (text) out.text = text.toLowerCase();
  return out;
}

function parseTime(name: string, text: string, now: number): number {
  const ago = parseDuration(text);
  if (ago !== undefined && !/^\d{4}-/.test(text)) return now - ago;
  const t = Date.parse(text);
  if (Number.isNaN(t)) {
    throw new QueryError(
      `${name}: must be an ISO 8601 time or a duration like 15m, got ${JSON.stringify(text)}`,
    );
  }
  return t;
}

/** Parsed when it matches, undefined otherwise. Text is checked first: it needs no parse. */
export function matchLine(
  filter: LogFilter,
  service: string,
  line: string,
): Record<string, unknown> | undefined {
  if (filter.services && !filter.services.has(service)) return undefined;
  if (filter.text && !line.toLowerCase().includes(filter.text)) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const entry = v as Record<string, unknown>;
  if (filter.minLevel !== undefined) {
    const lv = typeof entry.level === 'number' ? entry.level : LEVELS[String(entry.level)];
    if (lv === undefined || lv < filter.minLevel) return undefined;
  }
  if (filter.since !== undefined || filter.until !== undefined) {
    const t = typeof entry.time === 'string' ? Date.parse(entry.time) : Number(entry.time);
    if (Number.isNaN(t)) return undefined;
    if (filter.since !== undefined && t < filter.since) return undefined;
    if (filter.until !== undefined && t > filter.until) return undefined;
  }
  return entry;
}

/** Like matchLine, without parsing the line when only service and text are filtered. */
export function lineMatches(filter: LogFilter, service: string, line: string): boolean {
  if (filter.minLevel === undefined && filter.since === undefined && filter.until === undefined) {
    if (filter.services && !filter.services.has(service)) return false;
    return !filter.text || line.toLowerCase().includes(filter.text);
  }
  return matchLine(filter, service, line) !== undefined;
}
