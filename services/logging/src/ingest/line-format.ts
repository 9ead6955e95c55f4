/**
 * Lines in the files are the services' JSON lines with the stream id put first as `logId`:
 * it makes every line unique, orders lines across services, and lets a restart see where each
 * file ends without any other bookkeeping.
 */
export const LOG_ID_FIELD = 'logId';

const LOG_ID_AT_START = /^\{"logId":"(\d+-\d+)"/;

/** A line worth writing: one JSON object on one line. Cheap checks only, no parse. */
export function isPlausibleLine(line: string): boolean {
  return line.length >= 2 && line[0] === '{' && line.endsWith('}') && !line.includes('\n');
}

export function stampLine(id: string, line: string): string {
  return line.length === 2 ? `{"logId":"${id}"}` : `{"logId":"${id}",${line.slice(1)}`;
}

/** The stream id a stamped line starts with. */
export function logIdOf(line: string): string | undefined {
  return LOG_ID_AT_START.exec(line)?.[1];
}
