import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/** The field names of an entry of the Redis log stream (`RedisKeys.logs()`). */
export const LogStreamField = {
  service: 'service',
  line: 'line',
} as const;

/**
 * One entry of the Redis log stream: the service that wrote it and its JSON line, exactly as
 * written to stdout (secrets already scrubbed), without the trailing newline.
 */
export const LogStreamEntry = Type.Object({
  /** The stream id, `<ms>-<seq>`: unique and ordered, so it also serves to de-duplicate. */
  id: Type.String(),
  service: Type.String(),
  line: Type.String(),
});
export type LogStreamEntry = Static<typeof LogStreamEntry>;

const logStreamEntry = TypeCompiler.Compile(LogStreamEntry);

/**
 * Turns the flat field list Redis returns (`[f1, v1, f2, v2]`) into an entry, or undefined when
 * it breaks the contract (a field missing): that entry is skipped, the reader goes on.
 */
export function decodeLogStreamEntry(
  id: string,
  fields: readonly string[],
): LogStreamEntry | undefined {
  const entry: Record<string, unknown> = { id };
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i];
    if (name === LogStreamField.service || name === LogStreamField.line) {
      entry[name] = fields[i + 1];
    }
  }
  return logStreamEntry.Check(entry) ? entry : undefined;
}

/** Compares two stream ids (`<ms>-<seq>`) numerically: negative, zero or positive. */
export function compareStreamIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  const dm = Number(am) - Number(bm);
  return dm !== 0 ? dm : Number(as) - Number(bs);
}
