import { ConfigError, type ConfigOf, type Env, setting } from '@pa-connector/config';
import { logShippingSettings } from '@pa-connector/logger';
import { commonSettings, loadServiceConfig } from '@pa-connector/service-runtime';
import { hostnameSetting } from './hostname-setting';

export interface PopManagerSchemaOptions {
  /** Where the VM's hostname comes from (os.hostname() unless a test says otherwise). */
  readHostname?: () => string;
}

/** Every setting of pop-manager (common POP settings first). */
export function popManagerSchema(o: PopManagerSchemaOptions = {}) {
  return {
    ...commonSettings('pop-manager'),
    hostname: hostnameSetting(o.readHostname),
    ...logShippingSettings(),
    connectorUrl: setting.url({
      env: 'PA_CONNECTOR_URL',
      description:
        "Base URL of the connector's internal API, through which POP status reaches the SSE.",
      default: new URL('http://127.0.0.1:8080'),
    }),
    internalApiToken: setting.secret({
      env: 'PA_INTERNAL_API_TOKEN',
      description:
        "File holding the bearer token of the connector's internal API, when it asks for one.",
      optional: true,
    }),
    statusInterval: setting.duration({
      env: 'PA_POP_STATUS_INTERVAL',
      description:
        'How often the POP status is collected, stored in Redis and pushed to the SSE (each period jittered by ±20%).',
      default: 30_000,
      min: 100,
      max: 3_600_000,
    }),
    pushTimeout: setting.duration({
      env: 'PA_POP_PUSH_TIMEOUT',
      description:
        'How long one push may take (the connector itself retries the SSE before it answers).',
      default: 60_000,
      min: 100,
      max: 600_000,
    }),
    pushRetryInitialDelay: setting.duration({
      env: 'PA_POP_PUSH_RETRY_INITIAL_DELAY',
      description: 'First wait before pushing again after a failed push (doubles on each failure).',
      default: 1_000,
      min: 10,
      max: 3_600_000,
    }),
    pushRetryMaxDelay: setting.duration({
      env: 'PA_POP_PUSH_RETRY_MAX_DELAY',
      description: 'Longest wait between push retries; at least the initial delay.',
      default: 30_000,
      min: 10,
      max: 3_600_000,
    }),
    staleBeats: setting.int({
      env: 'PA_HEARTBEAT_STALE_BEATS',
      description:
        'A service is stale when its latest heartbeat is older than this many of its heartbeat intervals (its heartbeat expires after 3, then it is down).',
      default: 2,
      min: 1,
      max: 2,
    }),
    diskPath: setting.string({
      env: 'PA_POP_DISK_PATH',
      description: 'The filesystem whose size and free space the status reports (absolute path).',
      default: '/',
      pattern: /^\//,
      patternText: 'an absolute path',
    }),
    recentErrors: setting.int({
      env: 'PA_POP_RECENT_ERRORS',
      description:
        "How many of the latest error and fatal log lines of the POP the status shows (0–200; each line is clipped to 500 characters, so the pushed status stays well under the connector's 1 MiB body limit).",
      default: 20,
      min: 0,
      max: 200,
    }),
    errorScanEntries: setting.int({
      env: 'PA_POP_ERROR_SCAN_ENTRIES',
      description:
        'Most log stream entries read per collection when looking for new error lines (the newest ones).',
      default: 5_000,
      min: 1,
      max: 100_000,
    }),
  };
}

export type PopManagerConfig = ConfigOf<ReturnType<typeof popManagerSchema>>;

/**
 * The cloud's endpoints, as the connector reads them: the container carries them for the operator
 * CLI run inside it (`pa_connector.sh diagnose` checks the same endpoints), not for this service.
 */
const OPERATOR_CLI_CLOUD_SETTINGS = [
  'PA_CLOUD_DOMAIN',
  'PA_CLOUD_PROFILE',
  'PA_REGISTRATION_URL',
  'PA_TOKEN_URL',
  'PA_CATALOG_URL',
  'PA_COLLECTOR_URLS',
  'PA_REGISTRY',
  'PA_SSE_URLS',
  'PA_GATEWAY',
  'PA_REGION',
] as const;

/** Throws a ConfigError naming the first bad setting. */
export function loadPopManagerConfig(
  env: Env = process.env,
  o: PopManagerSchemaOptions = {},
): PopManagerConfig {
  const config = loadServiceConfig(popManagerSchema(o), env, OPERATOR_CLI_CLOUD_SETTINGS);
  if (config.pushRetryMaxDelay < config.pushRetryInitialDelay) {
    throw new ConfigError(
      'PA_POP_PUSH_RETRY_MAX_DELAY',
      `must be at least PA_POP_PUSH_RETRY_INITIAL_DELAY (${config.pushRetryInitialDelay}ms), got ${config.pushRetryMaxDelay}ms`,
    );
  }
  return config;
}
