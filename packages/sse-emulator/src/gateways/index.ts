// What tests build gateways from (the emulator itself imports each file directly).
export type { ReceivedHealth } from './gateway-fleet';
export { GatewayServer } from './gateway-server';
export { addressInNetwork, buildServerConfig, clientConfig } from './server-config';
export { generateTlsCryptKey, isTlsCryptKey } from './tls-crypt-key';
