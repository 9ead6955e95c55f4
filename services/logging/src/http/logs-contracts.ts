import { type Static, Type } from '@sinclair/typebox';
import { LogQuery } from '../query/log-filter';

export { LogQuery };

/** Most lines a tail sends from the files before the live ones. */
export const MAX_BACKLOG = 1_000;

/** `GET /logs/tail`: the search's filter (without `limit`), and how many past lines first. */
export const TailQuery = Type.Composite([
  Type.Omit(LogQuery, ['limit']),
  Type.Object({ backlog: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_BACKLOG })) }),
]);
export type TailQuery = Static<typeof TailQuery>;

/** One log line as the files hold it: pino's JSON, plus the `logId` ingest gave it. */
export const LogEntry = Type.Record(Type.String(), Type.Unknown());

/** `GET /logs`: the matching lines, oldest first. */
export const LogsAnswer = Type.Object({
  count: Type.Integer({ minimum: 0 }),
  /** More lines matched than `limit`. */
  truncated: Type.Boolean(),
  entries: Type.Array(LogEntry),
});
export type LogsAnswer = Static<typeof LogsAnswer>;

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
export type LogFilesAnswer = Static<typeof LogFilesAnswer>;

/** `GET /logs/tail`: NDJSON, one LogEntry a line, until the client goes. */
export const TailAnswer = Type.String({
  description: 'application/x-ndjson: one log entry a line',
});
