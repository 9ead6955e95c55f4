import { isIP } from 'node:net';
import { type ConfigOf, setting } from '@pa-connector/config';
import { parseCidr } from './cidr';

/** `ip`, `ip:port` or `[ip6]:port`, as dns.Resolver#setServers takes them. */
function isDnsServer(s: string): boolean {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(s) ?? /^([^:]+):(\d{1,5})$/.exec(s);
  if (!m) return isIP(s) !== 0;
  const port = Number(m[2]);
  return isIP(m[1] as string) !== 0 && port >= 1 && port <= 65535;
}

/** Settings of name resolution and of where the proxy and probes may dial. */
export function dialSettings() {
  return {
    dnsServers: setting.list({
      env: 'PA_DNS_SERVERS',
      description:
        "DNS servers for every name the connector resolves: app servers, the SSE (or its proxy), gateways' control URLs (ip, ip:port or [ip6]:port, comma-separated). Unset: the system's (/etc/resolv.conf). The hosts file is read first either way.",
      optional: true,
      item: isDnsServer,
      itemText: 'an IP address with an optional port',
    }),
    dnsTimeout: setting.duration({
      env: 'PA_DNS_TIMEOUT',
      description: 'Deadline of one name lookup (both address families, every retry).',
      default: 5_000,
      min: 100,
      max: 60_000,
    }),
    allowLoopbackServers: setting.bool({
      env: 'PA_ALLOW_LOOPBACK_SERVERS',
      description:
        "Let catalog servers written as loopback literals (127.0.0.1, ::1) be probed and dialed. Only for a single-host demo or tests: in a POP the loopback is the connector's own.",
      default: false,
    }),
    forbiddenNetworks: setting.list({
      env: 'PA_FORBIDDEN_NETWORKS',
      description:
        "Networks of the POP itself that the proxy and health probes never dial (CIDR, comma-separated), in addition to this host's own addresses. Unset: the subnet through which Redis is reached (unless it is the default route's, then Redis's address alone) and, in a container, the default gateway (the Docker bridge).",
      optional: true,
      item: (s) => parseCidr(s) !== undefined,
      itemText: 'a network such as 172.18.0.0/16 or fd00::/64',
    }),
  };
}

export type DialConfig = ConfigOf<ReturnType<typeof dialSettings>>;
