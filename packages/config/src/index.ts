export { CodedError } from './coded-error';
export { ConfigError } from './config-error';
export { formatDuration, NODE_TIMER_LIMIT_MS, parseDuration } from './duration';
export { EXIT_CODES, ExitCode, type ExitCodeValue } from './exit-codes';
export { isHostname, isLabel } from './hostname';
export { LineDecoder, readLines } from './lines';
export {
  type ConfigOf,
  closestName,
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
  SETTINGS_TABLE_END,
  SETTINGS_TABLE_START,
  settingsTable,
  settingsTableIn,
  withSettingsTable,
} from './settings-table';
export {
  credentialSpellings,
  decodeUrlPart,
  redactUrl,
  redactUrlCredentials,
  splitUrlCredentials,
  type UrlCredentials,
} from './url-credentials';
