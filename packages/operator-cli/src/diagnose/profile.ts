import { CliError } from '../cli-error';

export type ProfileName = 'saas' | 'onprem';

/**
 * What the firewall must allow, by deployment: in the SaaS cloud the SSE API and the gateways
 * listen on 443; an on-prem SSE uses its own ports (by default the collector's 5640 for the API
 * and the enforcers' 5660 for the gateways), set with --sse-port/--gateway-port or
 * PA_DIAG_SSE_PORT/PA_DIAG_GATEWAY_PORT.
 */
export interface Profile {
  name: ProfileName;
  ssePort: number;
  gatewayPort: number;
}

const ONPREM_DEFAULT_PORTS = { sse: 5640, gateway: 5660 } as const;

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
 * The profile from flags first, then the environment. Ports are for the on-prem profile only:
 * with `saas` they are an error rather than silently ignored.
 */
export function resolveProfile(
  flags: { profile?: string; ssePort?: string; gatewayPort?: string },
  env: Record<string, string | undefined>,
): Profile {
  const name = flags.profile ?? env.PA_DIAG_PROFILE?.trim() ?? 'saas';
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

export function describeProfile(p: Profile): string {
  return p.name === 'saas'
    ? 'saas (SSE API and gateways on 443)'
    : `onprem (SSE API on ${p.ssePort}, gateways on ${p.gatewayPort})`;
}
