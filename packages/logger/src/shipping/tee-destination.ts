import type { DestinationStream } from 'pino';
import type { RedisLogSink } from './redis-log-sink';

interface Flushable extends DestinationStream {
  flush?(cb?: (err?: Error) => void): void;
  flushSync?(): void;
}

/**
 * Sends each line to stdout (or the given destination) and to the Redis sink. pino has already
 * applied redaction and the secret scrubber to the line, so both copies are clean.
 */
export function teeDestination(primary: Flushable, sink: RedisLogSink): Flushable {
  return {
    write(line: string) {
      primary.write(line);
      sink.write(line);
    },
    flush(cb?: (err?: Error) => void) {
      if (primary.flush) primary.flush(cb);
      else cb?.();
    },
    flushSync() {
      primary.flushSync?.();
    },
  };
}
