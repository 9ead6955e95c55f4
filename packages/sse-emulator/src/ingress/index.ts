export { findApps } from './app-lookup';
export { parseConnectRequest, responseStatus } from './http-head';
export {
  describeExclusions,
  eligibleTunnels,
  type GatewayTunnels,
  RoundRobin,
} from './tunnel-selection';
export { UserIngress } from './user-ingress';
