import { type ConfigOf, type Env, setting } from '@pa-connector/config';
import { logShippingSettings } from '@pa-connector/logger';
import { commonSettings, loadServiceConfig } from '@pa-connector/service-runtime';
import { byteSize } from './files/byte-size';
import { forwardSettings } from './forward/forward-settings';

/** Every setting of the logging service (common POP settings first). */
export function loggingSchema() {
  return {
    ...commonSettings('logging'),
    ...logShippingSettings(),
    logDir: setting.string({
      env: 'PA_LOG_DIR',
      description: 'Directory of the log files, one per service (<service>.log plus rotated ones).',
      default: '/var/log/pa-connector',
      pattern: /^\/[^\0]*$/,
      patternText: 'an absolute path',
    }),
    fileMaxSize: byteSize({
      env: 'PA_LOG_FILE_MAX_SIZE',
      description: 'A service log file is rotated before it grows past this size.',
      default: 10 * 1024 ** 2,
      min: 1024,
    }),
    keepFiles: setting.int({
      env: 'PA_LOG_KEEP_FILES',
      description: 'Rotated files kept per service (the oldest go first).',
      default: 10,
      min: 0,
    }),
    maxAge: setting.duration({
      env: 'PA_LOG_MAX_AGE',
      description: 'Rotated files last written longer ago than this are deleted.',
      default: 14 * 86_400_000,
      min: 1_000,
      max: 315_360_000_000,
      // Compared with file times, never waited for.
      notATimer: true,
    }),
    maxTotalSize: byteSize({
      env: 'PA_LOG_MAX_TOTAL_SIZE',
      description:
        'Bound of all log files together; the oldest rotated files are deleted to stay under it.',
      default: 1024 ** 3,
      min: 1024,
    }),
    readBatch: setting.int({
      env: 'PA_LOG_READ_BATCH',
      description:
        'Stream entries per read; while a backlog lasts, up to ten reads are written and acknowledged together (one fsync per file per group).',
      default: 1_000,
      min: 1,
      max: 100_000,
    }),
    consumerName: setting.string({
      env: 'PA_LOG_CONSUMER',
      description:
        "This instance's name in the stream's consumer group; keep it stable so a restart takes over its own pending entries.",
      default: 'logging',
      pattern: /^[A-Za-z0-9._-]{1,64}$/,
      patternText: '1-64 letters, digits or "._-"',
    }),
    ...forwardSettings(),
  };
}

export type LoggingConfig = ConfigOf<ReturnType<typeof loggingSchema>>;

/** Throws a ConfigError naming the first bad setting. */
export function loadLoggingConfig(env: Env = process.env): LoggingConfig {
  return loadServiceConfig(loggingSchema(), env);
}
