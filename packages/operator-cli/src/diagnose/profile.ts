import {
  type CloudEndpoints,
  type CloudProfile,
  PROFILE_PORTS,
  SSE_PURPOSES,
  type SsePurpose,
} from '@pa-connector/sse-api';
import { CliError } from '../cli-error';

export type ProfileName = CloudProfile;

/**
 * What the firewall must allow, by deployment: the cloud's profile (PA_CLOUD_PROFILE, the same
 * setting as the connector's) gives each purpose its default port; --sse-port/--gateway-port (or
 * PA_DIAG_SSE_PORT/PA_DIAG_GATEWAY_PORT) override an on-prem cloud's collector and gateway ports.
 */
export interface Profile {
  name: ProfileName;
  /** The collectors' port (the SSE API's port of an on-prem cloud). */
  ssePort: number;
  gatewayPort: number;
}

const ONPREM_DEFAULT_PORTS = {
  sse: PROFILE_PORTS.onprem.collector,
  gateway: PROFILE_PORTS.onprem.gateway,
} as const;

function parsePort(what: string, raw: string): number {
  const n = /^\d{1,5}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!(n >= 1 && n <= 65_535)) {
    throw new CliError(
      'usage',
      `${what} must be a port number from 1 to 65535, got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

/**
 * The profile from flags first, then PA_CLOUD_PROFILE (and its former name PA_DIAG_PROFILE).
 * Ports are for the on-prem profile only: with `saas` they are an error rather than silently
 * ignored.
 */
export function resolveProfile(
  flags: { profile?: string; ssePort?: string; gatewayPort?: string },
  env: Record<string, string | undefined>,
): Profile {
  const name =
    flags.profile ??
    (env.PA_CLOUD_PROFILE?.trim() || undefined) ??
    (env.PA_DIAG_PROFILE?.trim() || undefined) ??
    'saas';
  if (name !== 'saas' && name !== 'onprem') {
    throw new CliError('usage', `--profile must be saas or onprem, got ${JSON.stringify(name)}`);
  }
  const sse = flags.ssePort ?? (env.PA_DIAG_SSE_PORT?.trim() || undefined);
  const gw = flags.gatewayPort ?? (env.PA_DIAG_GATEWAY_PORT?.trim() || undefined);
  if (name === 'saas') {
    if (flags.ssePort !== undefined || flags.gatewayPort !== undefined) {
      throw new CliError(
        'usage',
        '--sse-port and --gateway-port apply to --profile onprem only (SaaS uses 443)',
      );
    }
    return { name, ssePort: 443, gatewayPort: 443 };
  }
  return {
    name,
    ssePort:
      sse === undefined
        ? ONPREM_DEFAULT_PORTS.sse
        : parsePort(flags.ssePort !== undefined ? '--sse-port' : 'PA_DIAG_SSE_PORT', sse),
    gatewayPort:
      gw === undefined
        ? ONPREM_DEFAULT_PORTS.gateway
        : parsePort(
            flags.gatewayPort !== undefined ? '--gateway-port' : 'PA_DIAG_GATEWAY_PORT',
            gw,
          ),
  };
}

/** The port a purpose is expected on: the profile's, or --sse-port for every SSE purpose. */
export function expectedPort(p: Profile, purpose: SsePurpose): number {
  const defaults = PROFILE_PORTS[p.name];
  return p.ssePort !== defaults.collector ? p.ssePort : defaults[purpose];
}

/**
 * The endpoints with the profile's overrides: an SSE purpose derived from the cloud's domain
 * moves to --sse-port, and the gateway without a port of its own to --gateway-port.
 */
export function withProfilePorts(
  e: CloudEndpoints,
  p: Profile,
  gatewayPortWritten: boolean,
): CloudEndpoints {
  const urls = { ...e.urls };
  for (const purpose of SSE_PURPOSES) {
    if (e.sources[purpose] !== 'PA_CLOUD_DOMAIN') continue;
    urls[purpose] = e.urls[purpose].map((u) => {
      const moved = new URL(u.href);
      const port = expectedPort(p, purpose);
      moved.port = port === 443 ? '' : String(port);
      return moved;
    });
  }
  return {
    ...e,
    urls,
    gatewayPort: p.gatewayPort,
    gateway: e.gateway && {
      host: e.gateway.host,
      port: gatewayPortWritten ? e.gateway.port : p.gatewayPort,
    },
  };
}

export function describeProfile(p: Profile): string {
  return p.name === 'saas'
    ? 'saas (registration on 8080, the rest of the SSE API and gateways on 443)'
    : `onprem (registration, tokens and catalog on 443, collectors on ${p.ssePort}, gateways on ${p.gatewayPort})`;
}
