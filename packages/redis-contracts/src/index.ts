export {
  APP_STATUSES,
  AppHealth,
  AppStatus,
  decodeAppHealth,
  encodeAppHealth,
  ServerHealth,
} from './app-health';
export { jsonDecoder } from './json-decoder';
export { CHANGE_TOPICS, type ChangeTopic, DEFAULT_PREFIX, RedisKeys } from './keys';
export { LogEntry, LogFilesAnswer, LogsAnswer, TailAnswer } from './log-answers';
export {
  compareStreamIds,
  decodeLogStreamEntry,
  LogStreamEntry,
  LogStreamField,
} from './log-stream-entry';
export {
  CatalogSnapshot,
  CatalogSnapshotOf,
  ChangeMessage,
  decodeCatalogSnapshot,
  decodeChange,
  decodeHeartbeat,
  encodeChange,
  encodeHeartbeat,
  HEARTBEAT_STATUSES,
  Heartbeat,
  HeartbeatHash,
  HeartbeatStatus,
  RejectedApp,
} from './messages';
export {
  AppView,
  HostMetrics,
  LoadAverage,
  PopManagerStatus,
  PushState,
  RecentError,
  ServiceHealth,
  ServiceStatus,
} from './pop-manager-status';
export { POP_SERVICE_NAMES, type PopServiceName } from './services';
export {
  decodeTunnelState,
  encodeTunnelState,
  TUNNEL_PHASES,
  TunnelPhase,
  TunnelState,
} from './tunnel-state';
