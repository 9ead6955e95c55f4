import { setting } from '@pa-connector/config';

/** pino levels a forwarding threshold may name. */
const FORWARD_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/** Settings of forwarding log batches to the SSE through the connector's internal API. */
export function forwardSettings() {
  return {
    forward: setting.bool({
      env: 'PA_LOG_FORWARD',
      description:
        "Forward log lines (at or above PA_LOG_FORWARD_LEVEL) to the SSE through the connector's internal API.",
      default: false,
    }),
    forwardLevel: setting.enum({
      env: 'PA_LOG_FORWARD_LEVEL',
      description:
        'Lowest level of the lines forwarded to the SSE (trace, debug, info, warn, error, fatal).',
      values: FORWARD_LEVELS,
      default: 'warn',
    }),
    connectorUrl: setting.url({
      env: 'PA_CONNECTOR_URL',
      description: "Base URL of the connector's internal API, through which logs reach the SSE.",
      default: new URL('http://127.0.0.1:8080'),
    }),
    internalApiToken: setting.secret({
      env: 'PA_INTERNAL_API_TOKEN',
      description:
        "File holding the bearer token of the connector's internal API, when it asks for one.",
      optional: true,
    }),
    forwardBatch: setting.int({
      env: 'PA_LOG_FORWARD_BATCH',
      description: 'Most log entries per forwarded batch (1–10 000); a full batch is sent at once.',
      default: 500,
      min: 1,
      max: 10_000,
    }),
    forwardInterval: setting.duration({
      env: 'PA_LOG_FORWARD_INTERVAL',
      description: 'Entries waiting to be forwarded are sent at least this often.',
      default: 5_000,
      min: 10,
      max: 3_600_000,
    }),
    forwardBuffer: setting.int({
      env: 'PA_LOG_FORWARD_BUFFER',
      description:
        'Entries kept while the connector or the SSE is unreachable; beyond that the oldest are dropped and counted.',
      default: 10_000,
      min: 1,
      max: 1_000_000,
    }),
  };
}
