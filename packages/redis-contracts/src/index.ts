export {
  type AppHealth,
  type AppStatus,
  decodeAppHealth,
  encodeAppHealth,
  type ServerHealth,
} from './app-health';
export { type ChangeTopic, DEFAULT_PREFIX, RedisKeys } from './keys';
export {
  type CatalogSnapshot,
  type ChangeMessage,
  decodeChange,
  decodeHeartbeat,
  encodeChange,
  encodeHeartbeat,
  type Heartbeat,
} from './messages';
export { POP_SERVICE_NAMES, type PopServiceName } from './services';
export {
  decodeTunnelState,
  encodeTunnelState,
  TUNNEL_PHASES,
  type TunnelPhase,
  type TunnelState,
} from './tunnel-state';
