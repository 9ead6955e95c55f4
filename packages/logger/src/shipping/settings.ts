import { type ConfigOf, setting } from '@pa-connector/config';
import { SINK_DEFAULTS } from './redis-log-sink';

/** Settings of log shipping, the same for every POP service. */
export function logShippingSettings() {
  return {
    logToRedis: setting.bool({
      env: 'PA_LOG_TO_REDIS',
      description:
        'Ship every log line to the Redis stream the logging service reads (stdout gets them anyway).',
      default: true,
    }),
    logBufferLines: setting.int({
      env: 'PA_LOG_BUFFER_LINES',
      description:
        'Log lines kept in memory while Redis is unreachable; beyond that lines are dropped and counted.',
      default: SINK_DEFAULTS.maxBufferLines,
      min: 1,
      max: 10_000_000,
    }),
    logStreamMaxLength: setting.int({
      env: 'PA_LOG_STREAM_MAXLEN',
      description:
        'Approximate bound of the Redis log stream (entries); older entries are trimmed even if unread.',
      default: SINK_DEFAULTS.maxStreamLength,
      min: 1_000,
    }),
  };
}

export type LogShippingConfig = ConfigOf<ReturnType<typeof logShippingSettings>>;
