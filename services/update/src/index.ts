export { type UpdateAppOptions, updateApp } from './app';
export { loadUpdateConfig, type UpdateConfig, updateSchema } from './config';
