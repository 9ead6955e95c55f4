import { isIP } from 'node:net';
import { isHostname } from '@pa-connector/config';
import { SSE_PURPOSES, type SsePurpose } from '@pa-connector/sse-api';

/**
 * The cloud's two port profiles, as in the agent connectivity table: SaaS (registration on its
 * own port 8080, everything else on 443) and on-premises (configuration on 443, collectors on
 * 5640, gateways on 5660). A profile only fills in ports an endpoint or gateway leaves out.
 */
export const CLOUD_PROFILES = ['saas', 'onprem'] as const;
export type CloudProfile = (typeof CLOUD_PROFILES)[number];
export const DEFAULT_PROFILE: CloudProfile = 'saas';

export const PROFILE_PORTS: Record<CloudProfile, Record<SsePurpose | 'gateway', number>> = {
  saas: { registration: 8080, tokens: 443, catalog: 443, collector: 443, gateway: 443 },
  onprem: { registration: 443, tokens: 443, catalog: 443, collector: 5640, gateway: 5660 },
};

/** One listener of the SSE API serving one purpose's routes. */
export interface EndpointConfig {
  purpose: SsePurpose;
  /**
   * What the endpoint's URL names (and the server certificate covers): a hostname or address.
   * Unset: the address it listens on.
   */
  host?: string;
  port: number;
  /** The address it listens on. Unset: `host` when that is an address, else the SSE `--host`. */
  bind?: string;
}

class EndpointSpecError extends Error {
  override name = 'EndpointSpecError';
}

/**
 * `PURPOSE=[host][:port][@bind]`: `registration=8080`, `collector=status.example.test`,
 * `tokens=iam.example.test:9443@10.0.0.5`, `catalog=[::1]:0`. A port left out comes from the
 * profile; port 0 picks a free one.
 */
export function parseEndpointSpec(spec: string, profile: CloudProfile): EndpointConfig {
  const where = `--endpoint "${spec}"`;
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new EndpointSpecError(`${where}: expected PURPOSE=[host:]port`);
  const purpose = spec.slice(0, eq).trim();
  if (!isPurpose(purpose)) {
    throw new EndpointSpecError(
      `${where}: "${purpose}" is not a purpose (${SSE_PURPOSES.join(', ')})`,
    );
  }
  let rest = spec.slice(eq + 1).trim();
  let bind: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    bind = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isIP(bind)) throw new EndpointSpecError(`${where}: "@${bind}" is not an IP address`);
  }
  const { host, portText } = splitHostPort(rest, where);
  const port = portText === undefined ? PROFILE_PORTS[profile][purpose] : Number(portText);
  if (port > 65_535) throw new EndpointSpecError(`${where}: port ${port} is out of range`);
  return {
    purpose,
    port,
    ...(host === undefined ? {} : { host }),
    ...(bind === undefined ? {} : { bind }),
  };
}

export function parseProfile(text: string): CloudProfile {
  if (!(CLOUD_PROFILES as readonly string[]).includes(text)) {
    throw new EndpointSpecError(`--profile must be ${CLOUD_PROFILES.join(' or ')}, got "${text}"`);
  }
  return text as CloudProfile;
}

/**
 * Endpoints may not share a listening address and port (port 0 excepted: each gets its own).
 * Several collectors are fine; one purpose given twice otherwise is a mistake.
 */
export function checkEndpoints(endpoints: EndpointConfig[]): void {
  for (const purpose of SSE_PURPOSES) {
    const n = endpoints.filter((e) => e.purpose === purpose).length;
    if (n > 1 && purpose !== 'collector') {
      throw new EndpointSpecError(
        `--endpoint ${purpose} is given ${n} times (only collector may have several)`,
      );
    }
  }
}

/** The listening address of an endpoint, given the SSE listener's own `--host`. */
export function bindAddress(endpoint: EndpointConfig, defaultHost: string): string {
  if (endpoint.bind !== undefined) return endpoint.bind;
  if (endpoint.host !== undefined && isIP(endpoint.host)) return endpoint.host;
  return defaultHost;
}

function isPurpose(text: string): text is SsePurpose {
  return (SSE_PURPOSES as readonly string[]).includes(text);
}

/** `8080`, `name`, `name:8080`, `10.0.0.5:8080`, `[::1]:8080`, `[::1]` or `::1`. */
function splitHostPort(text: string, where: string): { host?: string; portText?: string } {
  const usage = `${where}: expected PURPOSE=[host][:port][@bind-address]`;
  if (/^\d+$/.test(text)) return { portText: text };
  if (isIP(text) === 6) return { host: text };
  const m = /^(\[[^\]]*\]|[^:[\]]+)(?::(\d+))?$/.exec(text);
  if (!m) throw new EndpointSpecError(usage);
  const host = checkedHost(m[1] as string, where);
  return m[2] === undefined ? { host } : { host, portText: m[2] };
}

function checkedHost(raw: string, where: string): string {
  const bracketed = raw.startsWith('[');
  const host = bracketed ? raw.slice(1, -1) : raw;
  if (bracketed && isIP(host) !== 6) {
    throw new EndpointSpecError(`${where}: "${raw}" is not an IPv6 address`);
  }
  if (!isIP(host) && !isHostname(host)) {
    throw new EndpointSpecError(`${where}: "${host}" is not a hostname or IP address`);
  }
  return host.toLowerCase();
}
