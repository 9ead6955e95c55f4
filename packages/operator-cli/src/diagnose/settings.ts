import { readFile } from 'node:fs/promises';
import { ConfigError, loadConfig } from '@pa-connector/config';
import {
  type CloudEndpoints,
  cloudEndpoints,
  cloudSettings,
  type NoProxyList,
  type ProxySettings,
  parseNoProxy,
  parseProxyUrl,
  redactProxyUrl,
} from '@pa-connector/sse-api';
import { CliError } from '../cli-error';

export interface ProxyTarget extends ProxySettings {
  host: string;
  port: number;
}

/** The part of the connector's configuration that says where it connects. */
export interface ConnectionSettings {
  /** Where each purpose of the cloud is reached, from the same settings as the connector's. */
  endpoints: CloudEndpoints;
  /** Every SSE API URL, each once (for the DNS check's choice of a name). */
  sseUrls: URL[];
  /** PEM of PA_SSE_CA_FILE; undefined: the system's roots. */
  sseCa: string | undefined;
  sseCaFile: string | undefined;
  proxy: ProxyTarget | undefined;
  noProxy: NoProxyList;
  region: string | undefined;
}

async function readConfigFile(setting: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError(
      'config',
      `${setting}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      { cause: err },
    );
  }
}

function proxyTarget(setting: string, raw: string): ProxyTarget {
  let p: ProxySettings;
  try {
    p = parseProxyUrl(raw);
  } catch (err) {
    throw new CliError('config', `${setting}: ${(err as Error).message}`);
  }
  const url = new URL(p.origin);
  return { ...p, host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) };
}

/** Reads the same PA_* settings as the connector; a bad one is a CliError naming it. */
export async function readConnectionSettings(
  env: Record<string, string | undefined>,
): Promise<ConnectionSettings> {
  let endpoints: CloudEndpoints;
  try {
    endpoints = cloudEndpoints(loadConfig(cloudSettings(), env));
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError('config', err.message, { cause: err });
    throw err;
  }
  const seen = new Set<string>();
  const sseUrls = Object.values(endpoints.urls)
    .flat()
    .filter((u) => !seen.has(u.href) && seen.add(u.href));
  const sseCaFile = env.PA_SSE_CA_FILE?.trim() || undefined;
  const sseCa = sseCaFile ? await readConfigFile('PA_SSE_CA_FILE', sseCaFile) : undefined;
  if (sseCa !== undefined && !sseCa.includes('-----BEGIN CERTIFICATE-----')) {
    throw new CliError('config', `PA_SSE_CA_FILE: ${sseCaFile} holds no PEM certificate`);
  }
  const inline = env.PA_PROXY_URL?.trim() || undefined;
  const file = env.PA_PROXY_URL_FILE?.trim() || undefined;
  if (inline && file)
    throw new CliError(
      'config',
      'PA_PROXY_URL: set either PA_PROXY_URL or PA_PROXY_URL_FILE, not both',
    );
  let proxy: ProxyTarget | undefined;
  if (inline) {
    proxy = proxyTarget('PA_PROXY_URL', inline);
    if (proxy.authorization) {
      throw new CliError(
        'config',
        `PA_PROXY_URL: ${redactProxyUrl(inline)} carries credentials; put the URL in a file (mode 0600) and set PA_PROXY_URL_FILE`,
      );
    }
  } else if (file) {
    const raw = (await readConfigFile('PA_PROXY_URL_FILE', file)).trim();
    if (!raw) throw new CliError('config', `PA_PROXY_URL_FILE: ${file} is empty`);
    proxy = proxyTarget('PA_PROXY_URL_FILE', raw);
  }
  let noProxy: NoProxyList;
  try {
    noProxy = parseNoProxy(env.PA_NO_PROXY ?? '');
  } catch (err) {
    throw new CliError('config', `PA_NO_PROXY: ${(err as Error).message}`);
  }
  return {
    endpoints,
    sseUrls,
    sseCa,
    sseCaFile,
    proxy,
    noProxy,
    region: env.PA_REGION?.trim() || undefined,
  };
}

/** Whether the connector would go through the proxy to reach `host`. */
export function usesProxy(s: Pick<ConnectionSettings, 'proxy' | 'noProxy'>, host: string): boolean {
  return s.proxy !== undefined && !s.noProxy.matches(host);
}
