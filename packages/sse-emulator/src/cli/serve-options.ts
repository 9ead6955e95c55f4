import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { TunnelProtocol } from '@pa-connector/sse-api';
import { parseDurationSeconds } from '../config/durations';
import {
  checkEndpoints,
  DEFAULT_PROFILE,
  PROFILE_PORTS,
  parseEndpointSpec,
  parseProfile,
} from '../config/endpoints';
import {
  checkDistinctHostnames,
  checkedPopHostname,
  withPopHostnames,
} from '../config/pop-hostnames';
import {
  checkNetns,
  DEFAULT_REGIONS,
  parseGatewayAddress,
  parseRegionSpec,
  type RegionConfig,
  regionConfig,
} from '../config/regions';
import type { EmulatorOptions } from '../emulator';
import { findCloudBlock } from '../package/cloud-block';
import { UsageError } from './usage-error';

export interface ServeSettings {
  options: Omit<EmulatorOptions, 'logger' | 'clock' | 'random'>;
  logLevel: string;
}

const SERVE_FLAGS = {
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'admin-host': { type: 'string' },
  'admin-port': { type: 'string' },
  'admin-token-file': { type: 'string' },
  'cert-lifetime': { type: 'string' },
  'token-lifetime': { type: 'string' },
  region: { type: 'string', multiple: true },
  'tls-name': { type: 'string', multiple: true },
  'log-level': { type: 'string' },
  gateways: { type: 'boolean' },
  'control-port': { type: 'string' },
  'health-stale': { type: 'string' },
  'ingress-port': { type: 'string' },
  'ingress-host': { type: 'string' },
  'ingress-connect-timeout': { type: 'string' },
  'ingress-suspect': { type: 'string' },
  profile: { type: 'string' },
  endpoint: { type: 'string', multiple: true },
  'pop-hostname': { type: 'string', multiple: true },
  bundle: { type: 'string' },
  'infra-script': { type: 'string' },
} as const;

/** The config file: the same settings as the flags (flags win). */
interface ConfigFile {
  dataDir?: string;
  host?: string;
  port?: number;
  adminHost?: string;
  adminPort?: number;
  adminTokenFile?: string;
  certLifetime?: string | number;
  tokenLifetime?: string | number;
  tlsNames?: string[];
  logLevel?: string;
  /** Run a real openvpn server per gateway (as `--gateways`). */
  gateways?: boolean;
  controlPort?: number;
  healthStale?: string | number;
  /** The user ingress (as `--ingress-port` / `--ingress-host`). */
  ingressPort?: number;
  ingressHost?: string;
  /** Each attempt's connect deadline (as `--ingress-connect-timeout`). */
  ingressConnectTimeout?: string | number;
  /** How long a failed connector is tried last (as `--ingress-suspect`). */
  ingressSuspect?: string | number;
  /** `saas` or `onprem`: ports for endpoints and gateways given without one. */
  profile?: string;
  /** `PURPOSE=[host][:port][@bind]` each, as `--endpoint`. */
  endpoints?: string[];
  /** `REGION=NAME[,NAME]` each, as `--pop-hostname`. */
  popHostnames?: string[];
  /** The package route's parts, as `--bundle` and `--infra-script`. */
  bundle?: string;
  infraScript?: string;
  regions?: Array<{
    name: string;
    hostnames?: string[];
    gateways: Array<
      | string
      | { host: string; port: number; protocol?: TunnelProtocol; name?: string; netns?: string }
    >;
  }>;
}

export async function serveSettings(
  argv: string[],
  readText: (path: string) => Promise<string> = (p) => readFile(p, 'utf8'),
): Promise<ServeSettings> {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: SERVE_FLAGS,
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const flag = (name: keyof typeof SERVE_FLAGS) => values[name] as string | undefined;
  const file = flag('config') ? await readConfigFile(flag('config') as string, readText) : {};

  const dataDir = flag('data-dir') ?? file.dataDir;
  if (!dataDir) throw new UsageError('--data-dir is required');

  const options: ServeSettings['options'] = {
    dataDir,
    host: flag('host') ?? file.host ?? '127.0.0.1',
    port: port('--port', flag('port') ?? file.port ?? 8443),
    adminHost: flag('admin-host') ?? file.adminHost ?? '127.0.0.1',
    adminPort: port('--admin-port', flag('admin-port') ?? file.adminPort ?? 8444),
  };
  const certLifetime = flag('cert-lifetime') ?? file.certLifetime;
  if (certLifetime !== undefined)
    options.certLifetimeSeconds = duration('--cert-lifetime', certLifetime, 3650 * 86_400);
  const tokenLifetime = flag('token-lifetime') ?? file.tokenLifetime;
  if (tokenLifetime !== undefined) {
    options.tokenLifetimeSeconds = duration('--token-lifetime', tokenLifetime, 30 * 86_400);
  }
  const tlsNames = (values['tls-name'] as string[] | undefined) ?? file.tlsNames;
  if (tlsNames) options.tlsNames = tlsNames;

  const profileText = flag('profile') ?? file.profile;
  const profile = usage(() => parseProfile(profileText ?? DEFAULT_PROFILE));
  if (profileText !== undefined) options.profile = profile;
  const gatewayPort = PROFILE_PORTS[profile].gateway;
  const endpointSpecs =
    (values.endpoint as string[] | undefined) ?? stringList(file.endpoints, 'endpoints');
  if (endpointSpecs) {
    const endpoints = endpointSpecs.map((spec) => usage(() => parseEndpointSpec(spec, profile)));
    usage(() => checkEndpoints(endpoints));
    options.endpoints = endpoints;
  }

  const regionFlags = values.region as string[] | undefined;
  let regions = regionFlags
    ? regionFlags.map((spec) => usage(() => parseRegionSpec(spec, gatewayPort)))
    : file.regions?.map((r) => fileRegion(r, gatewayPort));
  const popHostnames =
    (values['pop-hostname'] as string[] | undefined) ??
    stringList(file.popHostnames, 'popHostnames');
  if (popHostnames) {
    regions = usage(() => withPopHostnames(regions ?? DEFAULT_REGIONS, popHostnames));
  }
  if (regions) {
    usage(() => checkDistinctHostnames(regions));
    const names = regions.map((p) => p.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) throw new UsageError(`region "${dup}" is given twice`);
    const gatewayNames = regions.flatMap((p) => p.gateways.map((g) => g.name));
    const dupGateway = gatewayNames.find((n, i) => gatewayNames.indexOf(n) !== i);
    if (dupGateway) throw new UsageError(`gateway "${dupGateway}" is given twice`);
    options.regions = regions;
  }

  const gateways = (values.gateways as boolean | undefined) ?? file.gateways;
  if (gateways !== undefined && typeof gateways !== 'boolean') {
    throw new UsageError(`config gateways must be true or false, got ${JSON.stringify(gateways)}`);
  }
  if (gateways) options.gateways = true;
  const controlPort = flag('control-port') ?? file.controlPort;
  if (controlPort !== undefined) {
    options.controlPort = port('--control-port', controlPort);
    if (options.controlPort === 0) throw new UsageError('--control-port must not be 0');
  }
  const healthStale = flag('health-stale') ?? file.healthStale;
  if (healthStale !== undefined) {
    options.healthStaleSeconds = duration('--health-stale', healthStale, 3600);
  }

  const ingressPort = flag('ingress-port') ?? file.ingressPort;
  const ingressHost = flag('ingress-host') ?? file.ingressHost;
  if (ingressPort !== undefined) {
    options.ingressPort = port('--ingress-port', ingressPort);
    if (!options.gateways) {
      throw new UsageError('--ingress-port needs --gateways (the ingress forwards into tunnels)');
    }
    if (ingressHost !== undefined && (typeof ingressHost !== 'string' || ingressHost === '')) {
      throw new UsageError(`--ingress-host must be an address, got ${JSON.stringify(ingressHost)}`);
    }
    options.ingressHost = ingressHost ?? '127.0.0.1';
  } else if (ingressHost !== undefined) {
    throw new UsageError('--ingress-host is given without --ingress-port');
  }
  const connectTimeout = flag('ingress-connect-timeout') ?? file.ingressConnectTimeout;
  const suspect = flag('ingress-suspect') ?? file.ingressSuspect;
  for (const [name, value] of [
    ['--ingress-connect-timeout', connectTimeout],
    ['--ingress-suspect', suspect],
  ] as const) {
    if (value !== undefined && ingressPort === undefined) {
      throw new UsageError(`${name} is given without --ingress-port`);
    }
  }
  if (connectTimeout !== undefined) {
    options.ingressConnectTimeoutMs =
      duration('--ingress-connect-timeout', connectTimeout, 60) * 1000;
  }
  if (suspect !== undefined) {
    options.ingressSuspectMs = duration('--ingress-suspect', suspect, 3600) * 1000;
  }

  const bundle = flag('bundle') ?? file.bundle;
  const infraScript = flag('infra-script') ?? file.infraScript;
  if ((bundle === undefined) !== (infraScript === undefined)) {
    throw new UsageError('--bundle and --infra-script go together (the package holds both)');
  }
  if (bundle !== undefined && infraScript !== undefined) {
    options.package = {
      bundlePath: bundle,
      infraScript: await readInfraScript(infraScript, readText),
    };
  }

  const tokenFile = flag('admin-token-file') ?? file.adminTokenFile;
  if (tokenFile) options.adminToken = await readAdminToken(tokenFile, readText);

  return { options, logLevel: flag('log-level') ?? file.logLevel ?? 'info' };
}

export async function readAdminToken(
  path: string,
  readText: (path: string) => Promise<string>,
): Promise<string> {
  let token: string;
  try {
    token = (await readText(path)).trim();
  } catch (err) {
    throw new UsageError(`--admin-token-file ${path}: ${(err as Error).message}`);
  }
  if (!token) throw new UsageError(`--admin-token-file ${path} is empty`);
  return token;
}

async function readInfraScript(
  path: string,
  readText: (path: string) => Promise<string>,
): Promise<string> {
  try {
    const text = await readText(path);
    findCloudBlock(text);
    return text;
  } catch (err) {
    throw new UsageError(`--infra-script ${path}: ${(err as Error).message}`);
  }
}

async function readConfigFile(
  path: string,
  readText: (path: string) => Promise<string>,
): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readText(path);
  } catch (err) {
    throw new UsageError(`--config ${path}: ${(err as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error('not a JSON object');
    }
    return parsed as ConfigFile;
  } catch (err) {
    throw new UsageError(`--config ${path}: ${(err as Error).message}`);
  }
}

function port(name: string, value: string | number): number {
  const n = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65_535) {
    throw new UsageError(
      `${name} must be a port number 0-65535 (0 = any free port), got "${value}"`,
    );
  }
  return n;
}

/** A duration flag in seconds, refused above `maxSeconds`. */
function duration(name: string, value: string | number, maxSeconds: number): number {
  const seconds = parseDurationSeconds(value);
  if (seconds === undefined) {
    throw new UsageError(
      `${name} must be a duration like 90, 30s, 10m, 12h or 90d, got "${value}"`,
    );
  }
  if (seconds > maxSeconds)
    throw new UsageError(`${name} must be at most ${maxSeconds} seconds, got "${value}"`);
  return seconds;
}

/** A config file list of strings (as a repeated flag gives them). */
function stringList(value: unknown, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new UsageError(`config ${name} must be an array of strings`);
  }
  return value;
}

/** A parse error of a flag's value is a usage error (exit 64) with the same message. */
function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function checkedNetns(netns: unknown, where: string): string {
  if (typeof netns !== 'string') throw new Error(`${where}: netns must be a string`);
  checkNetns(netns, where);
  return netns;
}

function fileRegion(
  p: NonNullable<ConfigFile['regions']>[number],
  gatewayPort: number,
): RegionConfig {
  try {
    const where = `config region "${p.name}"`;
    if (!Array.isArray(p.gateways)) throw new Error(`${where}: gateways must be an array`);
    if (p.hostnames !== undefined && !Array.isArray(p.hostnames)) {
      throw new Error(`${where}: hostnames must be an array of names`);
    }
    const hostnames = p.hostnames?.map((n) => checkedPopHostname(String(n), where));
    const region = regionConfig(
      p.name,
      p.gateways.map((g) =>
        typeof g === 'string'
          ? parseGatewayAddress(g, where, gatewayPort)
          : {
              ...parseGatewayAddress(
                `${g.host.includes(':') ? `[${g.host}]` : g.host}:${g.port}/${g.protocol ?? 'udp'}`,
                where,
              ),
              ...(g.name ? { name: g.name } : {}),
              ...(g.netns !== undefined ? { netns: checkedNetns(g.netns, where) } : {}),
            },
      ),
    );
    return hostnames ? { ...region, hostnames } : region;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
