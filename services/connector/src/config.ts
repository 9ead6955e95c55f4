import { readFileSync } from 'node:fs';
import { ConfigError, type ConfigOf, type Env, setting } from '@pa-connector/config';
import { logShippingSettings } from '@pa-connector/logger';
import { commonSettings, loadServiceConfig } from '@pa-connector/service-runtime';
import {
  type CloudEndpoints,
  cloudEndpoints,
  cloudSettings,
  type ProxySettings,
  parseNoProxy,
  parseProxyUrl,
  redactProxyUrl,
} from '@pa-connector/sse-api';
import { dialSettings } from './dial/dial-settings';
import { healthSettings } from './health/health-settings';
import { proxySettings } from './proxy/proxy-settings';

function readSmallFile(env: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      env,
      `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      {
        cause: err,
      },
    );
  }
}

/** PEM certificates read from a file (not secret). */
const sseCa = setting.custom({
  env: 'PA_SSE_CA_FILE',
  description: "PEM file of the CA(s) that sign the SSE's server certificate.",
  optional: true,
  docDefault: "the system's trusted roots",
  parse(path, env): string {
    const pem = readSmallFile(env, path);
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new ConfigError(env, `${path} holds no PEM certificate`);
    }
    return pem;
  },
});

function proxyFrom(envName: string, raw: string): ProxySettings {
  try {
    return parseProxyUrl(raw);
  } catch (err) {
    throw new ConfigError(envName, (err as Error).message);
  }
}

/** A proxy URL without credentials, straight from the environment. */
const proxyUrl = setting.custom({
  env: 'PA_PROXY_URL',
  description:
    'HTTP proxy to reach the SSE through, `http://host:port`. A URL with credentials is refused here: use PA_PROXY_URL_FILE.',
  optional: true,
  parse(raw, env): ProxySettings {
    const p = proxyFrom(env, raw);
    if (p.authorization) {
      throw new ConfigError(
        env,
        `${redactProxyUrl(raw)} carries credentials; put the URL in a file (mode 0600) and set PA_PROXY_URL_FILE`,
      );
    }
    return p;
  },
});

/** A proxy URL that may carry `user:password@`, read from a file. */
const proxyUrlFile = setting.custom({
  env: 'PA_PROXY_URL_FILE',
  description:
    'File (0600) holding the proxy URL `http://[user:password@]host:port` (for a proxy that needs credentials). Set this or PA_PROXY_URL, not both.',
  optional: true,
  secret: true,
  parse(path, env): ProxySettings {
    const raw = readSmallFile(env, path).trim();
    if (!raw) throw new ConfigError(env, `${path} is empty`);
    return proxyFrom(env, raw);
  },
});

function noProxyEntry(entry: string): boolean {
  try {
    parseNoProxy([entry]);
    return true;
  } catch {
    return false;
  }
}

/** Every setting of the connector (common POP settings first). */
export function connectorSchema() {
  return {
    ...commonSettings('connector'),
    ...logShippingSettings(),
    ...healthSettings(),
    ...proxySettings(),
    ...dialSettings(),
    ...cloudSettings(),
    sseCa,
    provisioningKey: setting.secret({
      env: 'PA_PROVISIONING_KEY',
      description:
        'File (0600) holding the provisioning key (base64url JSON: `connectorName`, `customerId`, `keyId`, `secret`), checked before it is sent. Needed only until the connector has enrolled. `PA_PROVISIONING_KEY` itself is refused.',
      optional: true,
    }),
    dataDir: setting.string({
      env: 'PA_DATA_DIR',
      description:
        'Directory of the identity (key, certificate, CA chain, connector id); created 0700, files 0600.',
      default: '/var/lib/pa-connector',
    }),
    region: setting.string({
      env: 'PA_REGION',
      description:
        "Region to enroll in when PA_GATEWAY is not set. Unset: the group's default region. Its former name PA_POP is still read.",
      optional: true,
      pattern: /^[A-Za-z0-9._-]{1,64}$/,
      patternText: 'a region name (letters, digits, ._-)',
    }),
    proxyUrl,
    proxyUrlFile,
    noProxy: setting.list({
      env: 'PA_NO_PROXY',
      description:
        "Comma-separated hosts reached without the proxy: `host` (exactly), `.domain` or `*.domain` (hosts below the domain, not the domain itself), IPv4/IPv6 address, CIDR, or `*` (everything). Matched on the SSE URL's host as written, no DNS.",
      default: [],
      item: noProxyEntry,
      itemText: 'a host, .domain, *.domain, IP address, CIDR or *',
    }),
    internalApiToken: setting.secret({
      env: 'PA_INTERNAL_API_TOKEN',
      description:
        'File holding a shared secret; when set, internal API callers must send it as a Bearer token.',
      optional: true,
    }),
    sseTimeout: setting.duration({
      env: 'PA_SSE_TIMEOUT',
      description: 'Timeout of one request to one SSE URL (connect, answer and body).',
      default: 10_000,
      min: 100,
      max: 300_000,
    }),
    catalogInterval: setting.duration({
      env: 'PA_CATALOG_INTERVAL',
      description:
        'Time between catalog syncs (conditional GETs; each up to 10 % shorter at random).',
      default: 30_000,
      min: 100,
      max: 3_600_000,
    }),
    tokenRefreshAt: setting.fraction({
      env: 'PA_TOKEN_REFRESH_AT',
      description:
        'Refresh the access token when this fraction of its life has passed (minus up to 10 % jitter). Written `0.8` or `4/5`.',
      default: 0.8,
      defaultText: '0.8',
    }),
    certRenewAt: setting.fraction({
      env: 'PA_CERT_RENEW_AT',
      description: 'Renew the client certificate when this fraction of its lifetime has passed.',
      default: 2 / 3,
      defaultText: '2/3',
    }),
    retryInitialDelay: setting.duration({
      env: 'PA_RETRY_INITIAL_DELAY',
      description:
        'First delay of the enrollment/token/renewal retry backoff (doubles each attempt; each delay is half fixed, half random).',
      default: 1_000,
      min: 10,
      max: 3_600_000,
    }),
    retryMaxDelay: setting.duration({
      env: 'PA_RETRY_MAX_DELAY',
      description: 'Cap of the retry backoff.',
      default: 60_000,
      min: 10,
      max: 3_600_000,
    }),
    tunnels: setting.int({
      env: 'PA_TUNNELS',
      description:
        'OpenVPN tunnels to keep, each to a different gateway of the region. 0 runs none (the service then never needs root or openvpn).',
      default: 2,
      min: 0,
      max: 8,
    }),
    openvpnPath: setting.string({
      env: 'PA_OPENVPN_PATH',
      description: 'The openvpn program the tunnels run (a name looked up in PATH, or a path).',
      default: 'openvpn',
    }),
    tunnelRunDir: setting.string({
      env: 'PA_TUNNEL_RUN_DIR',
      description:
        "Directory of the tunnels' generated configurations and management sockets, one 0700 subdirectory per tunnel.",
      default: '/run/pa-connector/tunnels',
    }),
    tunnelPing: setting.duration({
      env: 'PA_TUNNEL_PING',
      description:
        'Ping the gateway when nothing was sent for this long (whole seconds; the gateway pings back as often).',
      default: 1_000,
      min: 1_000,
      max: 60_000,
    }),
    tunnelPingRestart: setting.duration({
      env: 'PA_TUNNEL_PING_RESTART',
      description:
        "OpenVPN's own reconnect when nothing came from the gateway for this long (whole seconds; it counts whole seconds, so it fires up to 1 s early). The backstop of PA_TUNNEL_SILENCE_TIMEOUT.",
      default: 3_000,
      min: 1_000,
      max: 600_000,
    }),
    tunnelSilenceTimeout: setting.duration({
      env: 'PA_TUNNEL_SILENCE_TIMEOUT',
      description:
        "Reconnect a tunnel when nothing came from the gateway for this long, measured on the connector's clock (the gateway pings every second): how fast a dead gateway is noticed. 0 leaves it to PA_TUNNEL_PING_RESTART.",
      default: 1_500,
      min: 0,
      max: 600_000,
    }),
    tunnelConnectTimeout: setting.duration({
      env: 'PA_TUNNEL_CONNECT_TIMEOUT',
      description: 'Restart a tunnel whose openvpn has been connecting for this long.',
      default: 60_000,
      min: 1_000,
      max: 3_600_000,
    }),
    tunnelConnectRetryMax: setting.duration({
      env: 'PA_TUNNEL_CONNECT_RETRY_MAX',
      description:
        "Cap of openvpn's own wait between connection attempts (it starts at 1 s and doubles).",
      default: 5_000,
      min: 1_000,
      max: 3_600_000,
    }),
    tunnelRestartInitialDelay: setting.duration({
      env: 'PA_TUNNEL_RESTART_INITIAL_DELAY',
      description:
        'First delay before starting an openvpn that ended (doubles per failure, half fixed and half random, reset once connected).',
      default: 1_000,
      min: 10,
      max: 3_600_000,
    }),
    tunnelRestartMaxDelay: setting.duration({
      env: 'PA_TUNNEL_RESTART_MAX_DELAY',
      description: 'Cap of that delay.',
      default: 30_000,
      min: 10,
      max: 3_600_000,
    }),
    internalApiAttempts: setting.int({
      env: 'PA_INTERNAL_API_ATTEMPTS',
      description:
        'Tries of one internal API request before answering 502 (each try fails over across every SSE URL).',
      default: 3,
      min: 1,
      max: 10,
    }),
  };
}

export type ConnectorSchema = ReturnType<typeof connectorSchema>;
export type ConnectorConfig = ConfigOf<ConnectorSchema> & {
  /** PA_PROXY_URL or PA_PROXY_URL_FILE, whichever is set. */
  readonly proxy: ProxySettings | undefined;
  /** Where each purpose of the cloud is reached (from the cloud settings). */
  readonly endpoints: CloudEndpoints;
};

/**
 * PA_REGION's former name. A container created before the rename still carries it, and the
 * update service copies a container's environment to its replacement: refusing it as unknown
 * would stop every updated connector.
 */
const FORMER_REGION_SETTING = 'PA_POP';

function withFormerNames(env: Env): Env {
  const former = env[FORMER_REGION_SETTING];
  if (former === undefined) return env;
  if (env.PA_REGION !== undefined) {
    throw new ConfigError(
      FORMER_REGION_SETTING,
      'is the former name of PA_REGION: set only PA_REGION',
    );
  }
  const { [FORMER_REGION_SETTING]: _, ...rest } = env;
  return { ...rest, PA_REGION: former };
}

/** Loads and cross-checks the settings; every problem is a ConfigError naming the setting. */
export function loadConnectorConfig(env: Env = process.env): ConnectorConfig {
  const c = loadServiceConfig(connectorSchema(), withFormerNames(env));
  if (c.proxyUrl && c.proxyUrlFile) {
    throw new ConfigError('PA_PROXY_URL', 'set either PA_PROXY_URL or PA_PROXY_URL_FILE, not both');
  }
  if (c.retryMaxDelay < c.retryInitialDelay) {
    throw new ConfigError('PA_RETRY_MAX_DELAY', 'must not be shorter than PA_RETRY_INITIAL_DELAY');
  }
  if (c.tunnelRestartMaxDelay < c.tunnelRestartInitialDelay) {
    throw new ConfigError(
      'PA_TUNNEL_RESTART_MAX_DELAY',
      'must not be shorter than PA_TUNNEL_RESTART_INITIAL_DELAY',
    );
  }
  if (c.tunnelSilenceTimeout > 0 && c.tunnelSilenceTimeout <= c.tunnelPing) {
    throw new ConfigError('PA_TUNNEL_SILENCE_TIMEOUT', 'must be 0 or longer than PA_TUNNEL_PING');
  }
  if (c.tunnelPingRestart <= c.tunnelPing) {
    throw new ConfigError('PA_TUNNEL_PING_RESTART', 'must be longer than PA_TUNNEL_PING');
  }
  return Object.freeze({ ...c, proxy: c.proxyUrl ?? c.proxyUrlFile, endpoints: cloudEndpoints(c) });
}
