/** Log field names, spelled once. */
export const LogField = {
  service: 'service',
  version: 'version',
  component: 'component',
  err: 'err',
  connectorId: 'connectorId',
  groupId: 'groupId',
  region: 'region',
  tunnel: 'tunnel',
  gateway: 'gateway',
  app: 'app',
  url: 'url',
  status: 'status',
  code: 'code',
  attempt: 'attempt',
  delayMs: 'delayMs',
  durationMs: 'durationMs',
} as const;

/**
 * The secret fields as pino redaction paths, for tools that configure pino themselves. The
 * project's logger censors SECRET_KEYS (censor.ts) at any depth instead: a superset of these
 * paths, at a fraction of the cost. The value scrubber in SecretValues catches secrets elsewhere.
 */
export const REDACT_PATHS = [
  'provisioningKey',
  '*.provisioningKey',
  'password',
  '*.password',
  'privateKey',
  '*.privateKey',
  'privateKeyPem',
  '*.privateKeyPem',
  'accessToken',
  '*.accessToken',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'proxyUrl',
  '*.proxyUrl',
];
