/**
 * `@pa-connector/sse-api/internal-api`: what the POP's side services (logging, update,
 * pop-manager) need to talk to the connector's internal API: the calls, routes, contracts and
 * errors, without the SSE client. The package root also loads the SSE client and undici with it
 * (a hundred modules, about 20 MB of RSS), which only the connector runs.
 */
export * from './client/internal-api-call';
export * from './client/internal-api-error';
export { readReleaseManifest } from './client/read-answer';
export * from './contracts';
export * from './errors';
export * from './routes';
