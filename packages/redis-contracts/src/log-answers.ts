import { type Static, Type } from '@sinclair/typebox';

/**
 * What the logging service answers over HTTP. The operator CLI checks its answers with these same
 * schemas, so a change here is seen by both sides.
 */

/** One log line as the files hold it: pino's JSON, plus the `logId` ingest gave it. */
export const LogEntry = Type.Record(Type.String(), Type.Unknown());
export type LogEntry = Static<typeof LogEntry>;

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
