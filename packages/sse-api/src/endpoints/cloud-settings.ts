import { ConfigError, isHostname, setting } from '@pa-connector/config';
import { type HostPort, parseHostPort } from './host-port';
import {
  CLOUD_PROFILES,
  type CloudProfile,
  DEFAULT_CLOUD_DOMAIN,
  DEFAULT_CLOUD_PROFILE,
} from './profiles';

function hostPort(what: string) {
  return (raw: string, env: string): HostPort => {
    const hp = parseHostPort(raw);
    if (!hp) {
      throw new ConfigError(
        env,
        `must be ${what}: a hostname or IP address with an optional :port, got ${JSON.stringify(raw)}`,
      );
    }
    return hp;
  };
}

const showHostPort = (hp: HostPort) => (hp.port === undefined ? hp.host : `${hp.host}:${hp.port}`);

/**
 * Where the cloud's endpoints are: one domain and profile from which every purpose's endpoint
 * is derived, each overridable. Read by the connector and by the operator's diagnosis, written
 * by infra.sh from the package's cloud settings.
 */
export function cloudSettings() {
  return {
    cloudDomain: setting.string({
      env: 'PA_CLOUD_DOMAIN',
      description:
        "The cloud's domain: every endpoint below is derived from it unless set (`wgcs.`, `iam.`, `status.`, `registry.` and the gateways `<pop>.pa-wgcs.` below it).",
      default: DEFAULT_CLOUD_DOMAIN,
      pattern: { test: (s: string) => s.includes('.') && isHostname(s.replace(/\.$/, '')) },
      patternText: 'a DNS domain such as example.com',
    }),
    cloudProfile: setting.custom({
      env: 'PA_CLOUD_PROFILE',
      description:
        "The cloud's default ports: `saas` (registration on 8080, everything else on 443) or `onprem` (registration, tokens and catalog on 443, collectors on 5640, gateways on 5660).",
      default: DEFAULT_CLOUD_PROFILE,
      parse(raw, env): CloudProfile {
        if (!(CLOUD_PROFILES as readonly string[]).includes(raw)) {
          throw new ConfigError(
            env,
            `must be one of ${CLOUD_PROFILES.join(', ')}, got ${JSON.stringify(raw)}`,
          );
        }
        return raw as CloudProfile;
      },
    }),
    registrationUrl: setting.url({
      env: 'PA_REGISTRATION_URL',
      description: 'https URL of registration and certificate renewal.',
      optional: true,
      protocols: ['https'],
      docDefault:
        '`https://wgcs.<domain>:8080` (saas), `https://wgcs.<domain>` (onprem); PA_SSE_URLS when set',
    }),
    tokenUrl: setting.url({
      env: 'PA_TOKEN_URL',
      description: 'https URL of the IAM service that issues and refreshes access tokens.',
      optional: true,
      protocols: ['https'],
      docDefault: '`https://iam.<domain>`; PA_SSE_URLS when set',
    }),
    catalogUrl: setting.url({
      env: 'PA_CATALOG_URL',
      description: 'https URL of the app catalog and the release manifest.',
      optional: true,
      protocols: ['https'],
      docDefault: '`https://wgcs.<domain>`; PA_SSE_URLS when set',
    }),
    collectorUrls: setting.urlList({
      env: 'PA_COLLECTOR_URLS',
      description:
        'Comma-separated https URLs of the collectors (health, POP status, logs). Ingest uses every one that answers, spreading its batches over them; one that fails is set aside and tried again after a backoff.',
      optional: true,
      protocols: ['https'],
      docDefault:
        '`https://status.<domain>` (saas), `https://status.<domain>:5640` (onprem); PA_SSE_URLS when set',
    }),
    gateway: setting.custom({
      env: 'PA_GATEWAY',
      description:
        'The gateway the operator named (`--gateway`): a hostname or address with an optional `:port`. The connector registers for the PoP of that gateway (instead of PA_REGION). Default port 443 (saas) or 5660 (onprem).',
      optional: true,
      parse: hostPort('a gateway'),
      show: showHostPort,
    }),
    registry: setting.custom({
      env: 'PA_REGISTRY',
      description: 'The image registry, `host[:port]` (port 443 unless given).',
      optional: true,
      docDefault: '`registry.<domain>`',
      parse: hostPort('a registry'),
      show: showHostPort,
    }),
    sseUrls: setting.urlList({
      env: 'PA_SSE_URLS',
      description:
        'Comma-separated https URLs of one listener serving the whole SSE API (an emulator, a test cloud), tried in order with failover: every purpose without its own setting uses them.',
      optional: true,
      protocols: ['https'],
    }),
  };
}

export type CloudSettingsSchema = ReturnType<typeof cloudSettings>;
