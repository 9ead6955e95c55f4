import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@pa-connector/logger';

/** A real logger whose lines are kept in memory, so tests can check what was (not) logged. */
export function capturedLogger(): { logger: Logger; text: () => string } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return {
    logger: createLogger({ service: 'sse-emulator-test', level: 'debug', destination }),
    text: () => lines.join(''),
  };
}
