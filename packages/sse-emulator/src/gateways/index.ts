export {
  type ConnectedClient,
  type ConnectedClientsOptions,
  readConnectedClients,
} from './connected-clients';
export { ControlEndpoint, type ControlEndpointOptions } from './control-endpoint';
export {
  DEFAULT_HEALTH_STALE_SECONDS,
  GatewayFleet,
  type GatewayFleetOptions,
  type ReceivedHealth,
} from './gateway-fleet';
export { GatewayServer, type GatewayServerOptions } from './gateway-server';
export {
  addressInNetwork,
  buildServerConfig,
  clientConfig,
  type ServerConfigOptions,
} from './server-config';
export { generateTlsCryptKey, isTlsCryptKey } from './tls-crypt-key';
export { loadOrCreateTlsCryptKeys, tlsCryptKeyPath } from './tunnel-keys';
