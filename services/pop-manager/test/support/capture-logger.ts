import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@pa-connector/logger';

/** A real logger whose lines land in an array (parsed), for assertions on what was logged. */
export function captureLogger(): { logger: Logger; entries: Array<Record<string, unknown>> } {
  const entries: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l) entries.push(JSON.parse(l));
      cb();
    },
  });
  return { logger: createLogger({ service: 'pop-manager', level: 'debug', destination }), entries };
}
