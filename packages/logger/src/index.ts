// The log stream's entries are a Redis contract; offered here too beside the sink that writes them.
export {
  compareStreamIds,
  decodeLogStreamEntry,
  LogStreamEntry,
  LogStreamField,
} from '@pa-connector/redis-contracts';
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
  type LogDropReason,
  type LogSinkStats,
  type LogStreamClient,
  RedisLogSink,
  type RedisLogSinkOptions,
  SINK_DEFAULTS,
  XADD_BATCH_SCRIPT,
} from './shipping/redis-log-sink';
export { type LogShippingConfig, logShippingSettings } from './shipping/settings';
