import { hostname } from 'node:os';
import { type ConfigOf, isHostname, setting } from '@pa-connector/config';
import { REDIS_DEFAULTS } from './redis-defaults';

/** The port each service listens on for /healthz, /ready, /metrics (and the connector's internal API). */
export const DEFAULT_HTTP_PORTS = {
  connector: 8080,
  logging: 8081,
  update: 8082,
  'pop-manager': 8083,
} as const;

/** The cloud shows the POP under its hostname and refuses 64 characters or more. */
const HOSTNAME_63 = { test: (text: string) => text.length <= 63 && isHostname(text) };

/** Settings every POP service has. */
export function commonSettings(service: keyof typeof DEFAULT_HTTP_PORTS) {
  return {
    logLevel: setting.enum({
      env: 'PA_LOG_LEVEL',
      description: 'Log level.',
      values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const,
      default: 'info',
    }),
    httpHost: setting.host({
      env: 'PA_HTTP_HOST',
      description:
        'Address of the status listener (/healthz, /ready, /metrics). Keep it on the internal network.',
      default: '127.0.0.1',
    }),
    httpPort: setting.port({
      env: 'PA_HTTP_PORT',
      description: 'Port of the status listener.',
      default: DEFAULT_HTTP_PORTS[service],
    }),
    redisUrl: setting.url({
      env: 'PA_REDIS_URL',
      description:
        'Redis, e.g. redis://redis:6379 (password in PA_REDIS_PASSWORD_FILE, not in the URL).',
      protocols: ['redis', 'rediss'],
      default: new URL('redis://127.0.0.1:6379'),
    }),
    redisPassword: setting.secret({
      env: 'PA_REDIS_PASSWORD',
      description: 'File holding the Redis password.',
      optional: true,
    }),
    redisPrefix: setting.string({
      env: 'PA_REDIS_PREFIX',
      description: 'Prefix of every Redis key, so several POPs or test runs can share a server.',
      default: 'pa:',
      pattern: /^[A-Za-z0-9:_.-]{1,64}$/,
      patternText: '1-64 letters, digits or ":_.-"',
    }),
    redisCommandTimeout: setting.duration({
      env: 'PA_REDIS_COMMAND_TIMEOUT',
      description:
        'How long one Redis command may wait for its answer; a Redis that stops answering is dropped and reconnected after this.',
      default: REDIS_DEFAULTS.commandTimeoutMs,
      min: 100,
      max: 60_000,
    }),
    redisConnectTimeout: setting.duration({
      env: 'PA_REDIS_CONNECT_TIMEOUT',
      description:
        'How long connecting to Redis may take before the attempt is abandoned and retried.',
      default: REDIS_DEFAULTS.connectTimeoutMs,
      min: 100,
      max: 60_000,
    }),
    heartbeatInterval: setting.duration({
      env: 'PA_HEARTBEAT_INTERVAL',
      description:
        'How often the service writes its heartbeat to Redis (the TTL is three intervals).',
      default: 10_000,
      min: 100,
      max: 600_000,
    }),
    trialRun: setting.bool({
      env: 'PA_TRIAL_RUN',
      description:
        "Set by the update service on a new image's trial container: read the configuration, check what the service depends on, answer /healthz and /ready, and do no work.",
      default: false,
    }),
    hostname: setting.string({
      env: 'PA_HOSTNAME',
      description:
        'The name the POP is shown under in the cloud: the VM hostname, shorter than 64 characters.',
      default: hostname(),
      docDefault: 'the VM hostname',
      pattern: HOSTNAME_63,
      patternText: 'a hostname shorter than 64 characters',
    }),
  };
}

export type CommonConfig = ConfigOf<ReturnType<typeof commonSettings>>;
