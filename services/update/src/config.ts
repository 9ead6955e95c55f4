import { type ConfigOf, type Env, setting } from '@pa-connector/config';
import { logShippingSettings } from '@pa-connector/logger';
import { commonSettings, loadServiceConfig } from '@pa-connector/service-runtime';
import { WINDOW_PATTERN } from './schedule/update-window';

/** Every setting of the update service (common POP settings first). */
export function updateSchema() {
  return {
    ...commonSettings('update'),
    ...logShippingSettings(),
    connectorUrl: setting.url({
      env: 'PA_CONNECTOR_URL',
      description:
        "Base URL of the connector's internal API, through which the release manifest is fetched, the group's update slot taken and the connector drained.",
      default: new URL('http://127.0.0.1:8080'),
    }),
    internalApiToken: setting.secret({
      env: 'PA_INTERNAL_API_TOKEN',
      description:
        "File holding the bearer token of the connector's internal API, when it asks for one.",
      optional: true,
    }),
    manifestTimeout: setting.duration({
      env: 'PA_UPDATE_MANIFEST_TIMEOUT',
      description:
        "How long reading the release manifest, or one request for the group's update slot, may take (the connector itself retries the SSE before it answers).",
      default: 60_000,
      min: 100,
      max: 600_000,
    }),
    auto: setting.bool({
      env: 'PA_UPDATE_AUTO',
      description:
        'Install a new release by itself. false: only check and report what is available (pa_connector.sh version).',
      default: true,
    }),
    interval: setting.duration({
      env: 'PA_UPDATE_INTERVAL',
      description: 'How often the release manifest is checked.',
      default: 3_600_000,
      min: 1_000,
      max: 604_800_000,
    }),
    initialDelay: setting.duration({
      env: 'PA_UPDATE_INITIAL_DELAY',
      description:
        'Wait after start before the first check (the connector may still be enrolling).',
      default: 60_000,
      min: 0,
      max: 86_400_000,
    }),
    window: setting.string({
      env: 'PA_UPDATE_WINDOW',
      description:
        'When new releases may be installed, HH:MM-HH:MM in UTC (may wrap midnight, e.g. 22:00-02:00). Unset: any time.',
      optional: true,
      pattern: WINDOW_PATTERN,
      patternText: 'HH:MM-HH:MM (UTC, 24-hour clock), e.g. 02:00-04:00',
    }),
    healthTimeout: setting.duration({
      env: 'PA_UPDATE_HEALTH_TIMEOUT',
      description:
        'How long a replaced service has to become healthy before it is rolled back to its previous image.',
      default: 180_000,
      min: 1_000,
      max: 3_600_000,
    }),
    slotTtl: setting.duration({
      env: 'PA_UPDATE_SLOT_TTL',
      description:
        "Lease asked for on the connector group's update slot before the connector is replaced (one connector of a group updates at a time); renewed while the replacement runs.",
      default: 900_000,
      min: 10_000,
      max: 3_600_000,
    }),
    slotRetry: setting.duration({
      env: 'PA_UPDATE_SLOT_RETRY',
      description:
        'How often to ask again while another connector of the group holds the update slot.',
      default: 15_000,
      min: 1_000,
      max: 600_000,
    }),
    slotWait: setting.duration({
      env: 'PA_UPDATE_SLOT_WAIT',
      description:
        'How long one check waits for the update slot; then the connector is left for the next check (the other services are updated anyway).',
      default: 1_800_000,
      min: 0,
      max: 86_400_000,
    }),
    drainTimeout: setting.duration({
      env: 'PA_UPDATE_DRAIN_TIMEOUT',
      description:
        "How long the connector's open streams may finish after its drain starts before it is replaced (the connector's PA_PROXY_DRAIN_GRACE cuts them at its own end).",
      default: 60_000,
      min: 0,
      max: 3_600_000,
    }),
    stopTimeout: setting.int({
      env: 'PA_UPDATE_STOP_TIMEOUT',
      description:
        "Seconds a container gets to stop (SIGTERM) before it is killed; longer than the connector's stop timeout (its drain grace, at most 60s, plus 15s), like compose's stop_grace_period.",
      default: 90,
      min: 0,
      max: 600,
    }),
    dockerSocket: setting.string({
      env: 'PA_DOCKER_SOCKET',
      description:
        "The Docker Engine API's unix socket (compose mounts it and adds its group, `PA_DOCKER_GID`).",
      default: '/var/run/docker.sock',
    }),
    composeProject: setting.string({
      env: 'PA_COMPOSE_PROJECT',
      description:
        "The compose project whose containers are the POP's. Unset: the project of this service's own container.",
      optional: true,
      pattern: /^[a-z0-9][a-z0-9_-]*$/,
      patternText: 'a compose project name (lowercase letters, digits, _ and -)',
    }),
  };
}

export type UpdateConfig = ConfigOf<ReturnType<typeof updateSchema>>;

/** Throws a ConfigError naming the first bad setting. */
export function loadUpdateConfig(env: Env = process.env): UpdateConfig {
  return loadServiceConfig(updateSchema(), env);
}
