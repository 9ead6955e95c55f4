export { type LoggingAppOptions, loggingApp } from './app';
export { type LoggingConfig, loadLoggingConfig, loggingSchema } from './config';
export { byteSize, formatByteSize, parseByteSize } from './files/byte-size';
export { LogDirHealth } from './files/log-dir-health';
export {
  activeFileName,
  parseLogFileName,
  rotatedFileName,
  SERVICE_NAME,
} from './files/log-file-names';
export {
  type BatchResult,
  LogStore,
  type LogStoreOptions,
  type WrittenLine,
} from './files/log-store';
export {
  enforceRetention,
  type LogFileInfo,
  listLogFiles,
  planRetention,
  type RetentionPolicy,
} from './files/retention';
export { ServiceLogFile } from './files/service-log-file';
export { type Clock, systemClock, type TimerHandle } from './forward/clock';
export { FORWARD_COMPONENT, levelOf, selectForForward } from './forward/forward-entry';
export { ForwardError } from './forward/forward-error';
export { ForwardMetrics } from './forward/forward-metrics';
export { forwardSettings } from './forward/forward-settings';
export { LogsApiClient, type LogsApiClientOptions } from './forward/internal-api-client';
export {
  type ForwardDropReason,
  type ForwardObserver,
  LogForwarder,
  type LogForwarderOptions,
} from './forward/log-forwarder';
export { isPlausibleLine, LOG_ID_FIELD, logIdOf, stampLine } from './ingest/line-format';
export {
  LOG_CONSUMER_GROUP,
  readGroupInfo,
  StreamConsumer,
  type StreamConsumerOptions,
} from './ingest/stream-consumer';
export { LoggingMetrics } from './metrics';
export { LEVELS, type LogFilter, matchLine, parseLogFilter, QueryError } from './query/log-filter';
export { queryLogs } from './query/query-logs';
export { TailHub } from './tail/tail-hub';
