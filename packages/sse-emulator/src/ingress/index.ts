export { type AppMatch, findApps } from './app-lookup';
export { parseConnectRequest, responseStatus } from './http-head';
export { IngressError, type IngressErrorCode } from './ingress-error';
export { IngressStats, type IngressTotals, type TunnelCounts } from './ingress-stats';
export {
  describeExclusions,
  type Exclusions,
  eligibleTunnels,
  type GatewayTunnels,
  RoundRobin,
  type SelectionContext,
  type TunnelCandidate,
  tunnelKey,
} from './tunnel-selection';
export { UserIngress, type UserIngressOptions } from './user-ingress';
