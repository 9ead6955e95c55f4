export { type PopManagerAppOptions, popManagerApp } from './app';
export type { AppView } from './apps/app-view';
export {
  loadPopManagerConfig,
  type PopManagerConfig,
  type PopManagerSchemaOptions,
  popManagerSchema,
} from './config';
export type { RecentError } from './errors/recent-errors';
export type { HostMetrics } from './host/host-metrics';
export type { ServiceHealth, ServiceStatus } from './services/service-health';
export type { CollectedStatus, PopManagerStatus, PushState } from './status/pop-status';
