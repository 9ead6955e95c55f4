import type { Endpoint } from './http/get-json';

/** Everything a command touches outside itself, so tests pass their own. */
export interface CliContext {
  env: Record<string, string | undefined>;
  /** Writes text to stdout (a newline is added). */
  out(text: string): void;
  /** Writes text to stderr (a newline is added). */
  err(text: string): void;
  now(): Date;
  /** Aborted on SIGINT/SIGTERM: ends `logs -f` and the wait of `drain`. */
  signal: AbortSignal;
  /** Waits `ms` (resolves early when `signal` is aborted); tests pass their own. */
  sleep(ms: number): Promise<void>;
  /** Reads a text file (the internal API token's); tests pass their own. */
  readFile(path: string): Promise<string>;
}

/** Timeout of one request to a POP service. */
export const REQUEST_TIMEOUT_MS = 5_000;

const DEFAULT_URLS = {
  PA_POP_MANAGER_URL: 'http://127.0.0.1:8083',
  PA_LOGGING_URL: 'http://127.0.0.1:8081',
  PA_CONNECTOR_URL: 'http://127.0.0.1:8080',
} as const;

function endpoint(
  env: CliContext['env'],
  service: string,
  setting: keyof typeof DEFAULT_URLS,
): Endpoint {
  return { service, setting, baseUrl: env[setting]?.trim() || DEFAULT_URLS[setting] };
}

export const popManager = (env: CliContext['env']) =>
  endpoint(env, 'pop-manager', 'PA_POP_MANAGER_URL');
export const logging = (env: CliContext['env']) => endpoint(env, 'logging', 'PA_LOGGING_URL');
export const connector = (env: CliContext['env']) => endpoint(env, 'connector', 'PA_CONNECTOR_URL');
