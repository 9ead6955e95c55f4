export { buildApp, type PopManagerAppDeps } from './app';
export {
  loadPopManagerConfig,
  type PopManagerConfig,
  type PopManagerSchemaOptions,
  popManagerSchema,
} from './config';
export type { CollectedStatus, PopManagerStatus, PushState } from './status/pop-status';
