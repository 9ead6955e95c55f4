import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { CENSORED, censorSecrets, SECRET_KEYS } from './censor';
import { LogField } from './fields';
import { SecretValues } from './secret-values';
import type { RedisLogSink } from './shipping/redis-log-sink';
import { teeDestination } from './shipping/tee-destination';

export interface CreateLoggerOptions {
  /** The service (or tool) name, on every line. */
  service: string;
  level?: string;
  version?: string;
  /** Values scrubbed from every line. */
  secrets?: SecretValues;
  /** Where lines go; stdout by default. */
  destination?: DestinationStream;
  /** Also ship every line (after redaction) to the Redis log stream through this sink. */
  logStream?: RedisLogSink;
}

export type { Logger };

/**
 * JSON lines: `time` as ISO 8601, `level` as a word, `service`/`version` on each line, fields
 * named like secrets censored (SECRET_KEYS, in logged objects and child bindings) and registered
 * secret values scrubbed from the serialized line.
 */
export function createLogger(o: CreateLoggerOptions): Logger {
  const secrets = o.secrets ?? new SecretValues();
  const options: LoggerOptions = {
    level: o.level ?? 'info',
    base: {
      [LogField.service]: o.service,
      ...(o.version ? { [LogField.version]: o.version } : {}),
    },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      bindings: (bindings) => censorSecrets(bindings),
      log: (object) => censorSecrets(object),
    },
    serializers: {
      // Child bindings skip formatters.log; serializers reach their top-level fields.
      ...Object.fromEntries([...SECRET_KEYS].map((k) => [k, () => CENSORED])),
      err: pino.stdSerializers.err,
      error: pino.stdSerializers.err,
    },
    hooks: { streamWrite: (line) => secrets.scrub(line) },
  };
  if (o.logStream) {
    return pino(options, teeDestination(o.destination ?? pino.destination(1), o.logStream));
  }
  return o.destination ? pino(options, o.destination) : pino(options);
}

/** A child logger for one component (`{component: name}` on each line). */
export function componentLogger(parent: Logger, component: string): Logger {
  return parent.child({ [LogField.component]: component });
}
