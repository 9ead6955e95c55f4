import { Writable } from 'node:stream';
import { createLogger, type Logger, type SecretValues } from '@pa-connector/logger';

/** A real logger whose lines land in an array (parsed), for assertions on what was logged. */
export function captureLogger(secrets?: SecretValues): {
  logger: Logger;
  lines: string[];
  entries: () => Array<Record<string, unknown>>;
} {
  const { destination, lines } = captureLines();
  const logger = createLogger({
    service: 'connector',
    level: 'debug',
    destination,
    ...(secrets ? { secrets } : {}),
  });
  return {
    logger,
    lines,
    entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** A destination for a logger that keeps every line it is given, as printed. */
export function captureLines(): { destination: Writable; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(l);
      cb();
    },
  });
  return { destination, lines };
}
