/**
 * One entry of the Redis log stream: the service that wrote it and its JSON line, exactly as
 * written to stdout (secrets already scrubbed), without the trailing newline.
 */
export const LogStreamField = {
  service: 'service',
  line: 'line',
} as const;

export interface LogStreamEntry {
  /** The stream id, `<ms>-<seq>`: unique and ordered, so it also serves to de-duplicate. */
  id: string;
  service: string;
  line: string;
}

/** Turns the flat field list Redis returns (`[f1, v1, f2, v2]`) into an entry, or undefined. */
export function decodeLogStreamEntry(
  id: string,
  fields: readonly string[],
): LogStreamEntry | undefined {
  let service: string | undefined;
  let line: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === LogStreamField.service) service = fields[i + 1];
    else if (fields[i] === LogStreamField.line) line = fields[i + 1];
  }
  if (service === undefined || line === undefined) return undefined;
  return { id, service, line };
}

/** Compares two stream ids (`<ms>-<seq>`) numerically: negative, zero or positive. */
export function compareStreamIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  const dm = Number(am) - Number(bm);
  return dm !== 0 ? dm : Number(as) - Number(bs);
}
