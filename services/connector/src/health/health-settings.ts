import { type ConfigOf, setting } from '@pa-connector/config';

/** Settings of app health checks and health updates; spread into the connector's schema. */
export function healthSettings() {
  return {
    healthInterval: setting.duration({
      env: 'PA_HEALTH_INTERVAL',
      description: 'Time between rounds of health probes of every server of every app.',
      default: 5_000,
      min: 100,
      max: 3_600_000,
    }),
    healthTimeout: setting.duration({
      env: 'PA_HEALTH_TIMEOUT',
      description: 'Time one health probe (TCP connect or HTTP GET) may take before it fails.',
      default: 2_000,
      min: 10,
      max: 300_000,
    }),
    healthFailureThreshold: setting.int({
      env: 'PA_HEALTH_FAILURE_THRESHOLD',
      description: 'Consecutive failed probes that take an up server down.',
      default: 3,
      min: 1,
      max: 100,
    }),
    healthRecoveryThreshold: setting.int({
      env: 'PA_HEALTH_RECOVERY_THRESHOLD',
      description:
        'Consecutive passed probes that bring a down server back up (a server never seen up is up at its first pass).',
      default: 2,
      min: 1,
      max: 100,
    }),
    healthConcurrency: setting.int({
      env: 'PA_HEALTH_CONCURRENCY',
      description:
        'Health probes in flight at most. A probe of a server that drops packets holds its place for the whole timeout: a round takes at least such servers × PA_HEALTH_TIMEOUT / this.',
      default: 128,
      min: 1,
      max: 1024,
    }),
    healthUpdateInterval: setting.duration({
      env: 'PA_HEALTH_UPDATE_INTERVAL',
      description:
        'Time between health updates sent to each gateway over its tunnel (a change is sent at once); a gateway treats a tunnel whose updates stop as stale.',
      default: 5_000,
      min: 100,
      max: 600_000,
    }),
  };
}

export type HealthConfig = ConfigOf<ReturnType<typeof healthSettings>>;
