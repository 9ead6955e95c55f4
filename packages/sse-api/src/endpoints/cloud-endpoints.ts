import { SSE_PURPOSES, type SsePurpose } from '../routes';
import type { HostPort } from './host-port';
import { type CloudProfile, GATEWAY_SUBDOMAIN, PROFILE_PORTS, PURPOSE_HOSTS } from './profiles';

/** The cloud settings as read (see cloudSettings); every field but domain and profile optional. */
export interface CloudSettingValues {
  cloudDomain: string;
  cloudProfile: CloudProfile;
  registrationUrl?: URL | undefined;
  tokenUrl?: URL | undefined;
  catalogUrl?: URL | undefined;
  collectorUrls?: readonly URL[] | undefined;
  gateway?: HostPort | undefined;
  registry?: HostPort | undefined;
  sseUrls?: readonly URL[] | undefined;
}

/** The setting a purpose's URLs came from, for logs and the diagnosis. */
export type EndpointSource = string;

/** Where the connector reaches each part of the cloud. */
export interface CloudEndpoints {
  domain: string;
  profile: CloudProfile;
  /** The URLs of each purpose of the SSE API, at least one each, in the order given. */
  urls: Record<SsePurpose, URL[]>;
  /** Which setting each purpose's URLs came from (`PA_TOKEN_URL`, `PA_SSE_URLS`, `PA_CLOUD_DOMAIN`). */
  sources: Record<SsePurpose, EndpointSource>;
  /** The gateway the operator named, with its port (the profile's when none was written). */
  gateway: { host: string; port: number } | undefined;
  /** The port of the gateways' tunnels by default. */
  gatewayPort: number;
  registry: { host: string; port: number };
}

/** The setting of each purpose's own URLs. */
export const PURPOSE_SETTING: Record<SsePurpose, string> = {
  registration: 'PA_REGISTRATION_URL',
  tokens: 'PA_TOKEN_URL',
  catalog: 'PA_CATALOG_URL',
  collector: 'PA_COLLECTOR_URLS',
};

function derivedUrl(host: string, domain: string, port: number): URL {
  return new URL(`https://${host}.${domain}${port === 443 ? '' : `:${port}`}`);
}

/**
 * Every purpose's endpoint from the cloud settings. A purpose's own setting wins; then
 * PA_SSE_URLS (one listener for the whole API); then the host below the cloud's domain, on the
 * profile's port. Pure: nothing is resolved or dialed.
 */
export function cloudEndpoints(s: CloudSettingValues): CloudEndpoints {
  const domain = s.cloudDomain.replace(/\.$/, '');
  const ports = PROFILE_PORTS[s.cloudProfile];
  const own: Record<SsePurpose, readonly URL[] | undefined> = {
    registration: s.registrationUrl && [s.registrationUrl],
    tokens: s.tokenUrl && [s.tokenUrl],
    catalog: s.catalogUrl && [s.catalogUrl],
    collector: s.collectorUrls?.length ? s.collectorUrls : undefined,
  };
  const urls = {} as Record<SsePurpose, URL[]>;
  const sources = {} as Record<SsePurpose, EndpointSource>;
  for (const p of SSE_PURPOSES) {
    const given = own[p];
    if (given) {
      urls[p] = [...given];
      sources[p] = PURPOSE_SETTING[p];
    } else if (s.sseUrls?.length) {
      urls[p] = [...s.sseUrls];
      sources[p] = 'PA_SSE_URLS';
    } else {
      urls[p] = [derivedUrl(PURPOSE_HOSTS[p], domain, ports[p])];
      sources[p] = 'PA_CLOUD_DOMAIN';
    }
  }
  return {
    domain,
    profile: s.cloudProfile,
    urls,
    sources,
    gateway: s.gateway && { host: s.gateway.host, port: s.gateway.port ?? ports.gateway },
    gatewayPort: ports.gateway,
    registry: s.registry
      ? { host: s.registry.host, port: s.registry.port ?? ports.registry }
      : { host: `${PURPOSE_HOSTS.registry}.${domain}`, port: ports.registry },
  };
}

/** How gateways of the cloud are named, with `<pop>` standing for the PoP. */
export function gatewayNamePattern(domain: string): string {
  return `<pop>.${GATEWAY_SUBDOMAIN}.${domain.replace(/\.$/, '')}`;
}
