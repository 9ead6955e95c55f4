import { Type } from '@sinclair/typebox';
import { LogQuery } from '../query/log-filter';

/** Most lines a tail sends from the files before the live ones. */
const MAX_BACKLOG = 1_000;

/** `GET /logs/tail`: the search's filter (without `limit`), and how many past lines first. */
export const TailQuery = Type.Composite([
  Type.Omit(LogQuery, ['limit']),
  Type.Object({ backlog: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_BACKLOG })) }),
]);

/** One log line as the files hold it: pino's JSON, plus the `logId` ingest gave it. */
const LogEntry = Type.Record(Type.String(), Type.Unknown());

/** `GET /logs`: the matching lines, oldest first. */
export const LogsAnswer = Type.Object({
  count: Type.Integer({ minimum: 0 }),
  /** More lines matched than `limit`. */
  truncated: Type.Boolean(),
  entries: Type.Array(LogEntry),
});

/** `GET /logs/files`: what is on disk, per service newest first. */
export const LogFilesAnswer = Type.Object({
  files: Type.Array(
    Type.Object({
      name: Type.String(),
      service: Type.String(),
      kind: Type.Union([Type.Literal('active'), Type.Literal('rotated')]),
      bytes: Type.Integer({ minimum: 0 }),
      modified: Type.String({ format: 'date-time' }),
    }),
  ),
});

/** `GET /logs/tail`: NDJSON, one LogEntry a line, until the client goes. */
export const TailAnswer = Type.String({
  description: 'application/x-ndjson: one log entry a line',
});
