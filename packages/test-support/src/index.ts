export {
  type DelayRelay,
  type DelayRelayOptions,
  type DelayRelayStats,
  startDelayRelay,
} from './delay-relay';
export { type DnsServerOptions, startDnsServer, type TestDnsServer } from './dns-server';
export { FakeClock, flush } from './fake-clock';
export { freePort } from './free-port';
export { run } from './netns/exec';
export { type Host, Topology, type TopologyOptions } from './netns/topology';
export { spawnTracked, stopAll, type TrackedProcess } from './processes';
export { CONNECT_PROXY_PATH, COUNTING_APP_PATH } from './program-paths';
export { startRedis, type TestRedis } from './redis';
export { requireBinary, requireRoot } from './require-binary';
export {
  buildService,
  type HeartbeatReader,
  type HttpAnswer,
  observePopMemberLifecycle,
  observeRedisOutage,
  type PopMemberLifecycle,
  type RedisOutage,
  repoRoot,
  runServiceToExit,
  type ServiceProcess,
  type StartServiceOptions,
  startServiceProcess,
} from './service-process';
export { startTcpRelay, type TcpRelay } from './tcp-relay';
export { startTinyproxy, type TestProxy } from './tinyproxy';
export {
  checkedForUnhandledRejections,
  expectNoUnhandledRejections,
  readUnhandledRejections,
  UNHANDLED_REJECTION_LINE,
  UNHANDLED_REJECTIONS,
} from './unhandled-rejections';
export { waitFor } from './wait-for';
