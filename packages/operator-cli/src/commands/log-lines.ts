import { text } from '../format/units';

/** Fields every line has; the rest are shown as `key=value`. */
const COMMON = new Set([
  'logId',
  'time',
  'level',
  'service',
  'version',
  'msg',
  'pid',
  'hostname',
  'host',
]);

/** One stored log line as `time  service  LEVEL  message key=value...`. */
export function formatLogLine(entry: Record<string, unknown>): string {
  const extras = Object.entries(entry)
    .filter(([k]) => !COMMON.has(k))
    .map(
      ([k, v]) =>
        `${k}=${typeof v === 'string' ? (/\s/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v)}`,
    );
  const level = text(entry.level).toUpperCase().padEnd(5);
  const head = `${text(entry.time)}  ${text(entry.service).padEnd(11)}  ${level}  ${text(entry.msg)}`;
  return (extras.length ? `${head} ${extras.join(' ')}` : head).replace(/[\r\n]+/g, ' ');
}
