export { CENSORED, censorSecrets, SECRET_KEYS } from './censor';
export {
  type CreateLoggerOptions,
  componentLogger,
  createLogger,
  type Logger,
} from './create-logger';
export { LogField, REDACT_PATHS } from './fields';
export {
  SECRET_VALUES_MAX,
  type SecretSlot,
  SecretValues,
  type SecretValuesOptions,
} from './secret-values';
export {
  compareStreamIds,
  decodeLogStreamEntry,
  type LogStreamEntry,
  LogStreamField,
} from './shipping/log-stream-entry';
export {
  type LogDropReason,
  type LogSinkStats,
  type LogStreamClient,
  RedisLogSink,
  type RedisLogSinkOptions,
  SINK_DEFAULTS,
  XADD_BATCH_SCRIPT,
} from './shipping/redis-log-sink';
export { type LogShippingConfig, logShippingSettings } from './shipping/settings';
