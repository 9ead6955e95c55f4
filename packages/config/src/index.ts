export { ConfigError, EXIT_CONFIG } from './config-error';
export { parseDuration } from './duration';
export {
  type ConfigOf,
  describeSchema,
  loadConfig,
  type Schema,
  unknownSettings,
} from './load-config';
export { Secret } from './secret';
export { type Env, isHostOrIp, redactUrl, type Setting, setting } from './settings';
