export { buildApp, type UpdateAppDeps } from './app';
export { loadUpdateConfig, type UpdateConfig, updateSchema } from './config';
