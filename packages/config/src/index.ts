export { CodedError } from './coded-error';
export { ConfigError, EXIT_CONFIG } from './config-error';
export { formatDuration, NODE_TIMER_LIMIT_MS, parseDuration } from './duration';
export { isHostname, isLabel } from './hostname';
export { LineDecoder, readLines } from './lines';
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
export { removeSecretLeftovers, syncDir, tightenMode, writeSecretFile } from './secret-file';
export { type Env, isHostOrIp, type Setting, setting } from './settings';
export {
  credentialSpellings,
  decodeUrlPart,
  redactUrl,
  redactUrlCredentials,
  splitUrlCredentials,
  type UrlCredentials,
} from './url-credentials';
