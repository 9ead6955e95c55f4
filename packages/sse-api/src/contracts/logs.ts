import { type Static, Type } from '@sinclair/typebox';

/** Log entries forwarded to the SSE: each a pino JSON record, as written. */
export const LogBatch = Type.Object({
  entries: Type.Array(Type.Record(Type.String(), Type.Unknown())),
});
export type LogBatch = Static<typeof LogBatch>;
