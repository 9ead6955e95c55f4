/**
 * Which ports the cloud's endpoints listen on by default: the SaaS cloud has everything on 443
 * except registration (8080); an on-premises cloud follows the agent connectivity table of its
 * appliances (configuration on 443, collectors on 5640, enforcers, the gateways, on 5660).
 */
export const CLOUD_PROFILES = ['saas', 'onprem'] as const;
export type CloudProfile = (typeof CLOUD_PROFILES)[number];

export const DEFAULT_CLOUD_DOMAIN = 'pa-connector.net';
export const DEFAULT_CLOUD_PROFILE: CloudProfile = 'saas';

export interface ProfilePorts {
  registration: number;
  tokens: number;
  catalog: number;
  collector: number;
  gateway: number;
  registry: number;
}

export const PROFILE_PORTS: Record<CloudProfile, ProfilePorts> = {
  saas: {
    registration: 8080,
    tokens: 443,
    catalog: 443,
    collector: 443,
    gateway: 443,
    registry: 443,
  },
  onprem: {
    registration: 443,
    tokens: 443,
    catalog: 443,
    collector: 5640,
    gateway: 5660,
    registry: 443,
  },
};

/** The host of each purpose below the cloud's domain. */
export const PURPOSE_HOSTS = {
  registration: 'wgcs',
  tokens: 'iam',
  catalog: 'wgcs',
  collector: 'status',
  registry: 'registry',
} as const;

/** How gateways are named: `<pop>.pa-wgcs.<domain>`. */
export const GATEWAY_SUBDOMAIN = 'pa-wgcs';

export function describeProfile(p: CloudProfile): string {
  return p === 'saas' ? 'SaaS' : 'on-premises';
}
