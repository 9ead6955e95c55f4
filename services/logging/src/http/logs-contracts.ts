import { Type } from '@sinclair/typebox';
import { LogQuery } from '../query/log-filter';

/** Most lines a tail sends from the files before the live ones. */
const MAX_BACKLOG = 1_000;

/** `GET /logs/tail`: the search's filter (without `limit`), and how many past lines first. */
export const TailQuery = Type.Composite([
  Type.Omit(LogQuery, ['limit']),
  Type.Object({ backlog: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_BACKLOG })) }),
]);
