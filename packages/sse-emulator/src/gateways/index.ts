export type { ReceivedHealth } from './gateway-fleet';
export { GatewayServer } from './gateway-server';
export { parseStatus3 } from './management-status';
export {
  addressInNetwork,
  buildServerConfig,
  clientConfig,
} from './server-config';
export { generateTlsCryptKey, isTlsCryptKey } from './tls-crypt-key';
