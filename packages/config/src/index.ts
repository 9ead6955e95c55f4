export { ConfigError, EXIT_CONFIG } from './config-error';
export { formatDuration, NODE_TIMER_LIMIT_MS, parseDuration } from './duration';
export {
  type ConfigOf,
  closestName,
  describeSchema,
  editDistance,
  knownSettings,
  loadConfig,
  refuseUnknownSettings,
  type Schema,
  unknownSettings,
} from './load-config';
export { Secret } from './secret';
export { type Env, isHostOrIp, redactUrl, type Setting, setting } from './settings';
