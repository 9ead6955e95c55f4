import type { EndpointTable } from '../endpoints/endpoint-table';

/**
 * The block of infra.sh a package fills: its cloud's settings as `KEY=value` lines and the
 * cloud's server CA, each a single-quoted shell value. In a source checkout both are empty.
 */
const CLOUD_BLOCK_BEGIN = '# >>> cloud package settings';
const CLOUD_BLOCK_END = '# <<< cloud package settings';

/** The settings a package may carry (infra.sh writes them into the connector's pa.env). */
export const CLOUD_ENV_KEYS = [
  'PA_CLOUD_DOMAIN',
  'PA_CLOUD_PROFILE',
  'PA_REGISTRATION_URL',
  'PA_TOKEN_URL',
  'PA_CATALOG_URL',
  'PA_COLLECTOR_URLS',
  'PA_REGISTRY',
  'PA_SSE_URLS',
] as const;
export type CloudEnvKey = (typeof CLOUD_ENV_KEYS)[number];
export type CloudEnv = Partial<Record<CloudEnvKey, string>>;

export class CloudBlockError extends Error {
  override name = 'CloudBlockError';
}

/**
 * What a connector needs to reach this cloud: each purpose's URL when the emulator serves the
 * purposes on endpoints of their own, else its one combined listener for every purpose.
 */
export function cloudEnvOf(table: EndpointTable, hasEndpoints: boolean): CloudEnv {
  if (!hasEndpoints) return { PA_SSE_URLS: table.sseUrl };
  return {
    PA_CLOUD_PROFILE: table.profile,
    PA_REGISTRATION_URL: table.endpoints.registration[0] ?? table.sseUrl,
    PA_TOKEN_URL: table.endpoints.tokens[0] ?? table.sseUrl,
    PA_CATALOG_URL: table.endpoints.catalog[0] ?? table.sseUrl,
    PA_COLLECTOR_URLS: table.endpoints.collector.join(','),
  };
}

/** Where the block is in the script: its first line and the line after it, or why not. */
export function findCloudBlock(script: string): { begin: number; end: number } {
  const lines = script.split('\n');
  const begins = indexesOf(lines, CLOUD_BLOCK_BEGIN);
  const ends = indexesOf(lines, CLOUD_BLOCK_END);
  if (begins.length !== 1 || ends.length !== 1) {
    throw new CloudBlockError(
      `the infra script must hold exactly one "${CLOUD_BLOCK_BEGIN}" ... "${CLOUD_BLOCK_END}" block (found ${begins.length} and ${ends.length})`,
    );
  }
  const begin = begins[0] as number;
  const end = ends[0] as number;
  if (end < begin) {
    throw new CloudBlockError(
      `the infra script's "${CLOUD_BLOCK_END}" comes before its begin line`,
    );
  }
  return { begin, end };
}

/** The script with the block's values replaced; every other line stays as it was. */
export function fillCloudBlock(script: string, env: CloudEnv, caPem: string): string {
  const { begin, end } = findCloudBlock(script);
  const envText = CLOUD_ENV_KEYS.flatMap((key) => {
    const value = env[key];
    if (value === undefined) return [];
    if (/[\n\r]/.test(value)) throw new CloudBlockError(`${key} must be one line`);
    return [`${key}=${value}`];
  }).join('\n');
  const lines = script.split('\n');
  return [
    ...lines.slice(0, begin + 1),
    `PKG_CLOUD_ENV=${singleQuoted('PKG_CLOUD_ENV', envText)}`,
    `PKG_CLOUD_CA=${singleQuoted('PKG_CLOUD_CA', caPem.trimEnd())}`,
    ...lines.slice(end),
  ].join('\n');
}

/** A shell value between single quotes: taken literally, so a quote inside is refused. */
function singleQuoted(name: string, value: string): string {
  if (value.includes("'")) {
    throw new CloudBlockError(`${name} would contain a single quote; the package refuses it`);
  }
  return `'${value}'`;
}

function indexesOf(lines: string[], prefix: string): number[] {
  return lines.flatMap((line, i) => (line.startsWith(prefix) ? [i] : []));
}
