import type { Gateway, NoProxyList, ProxySettings } from '@pa-connector/sse-api';
import type { TunnelProxySettings } from '../edge/tunnel';

/**
 * The proxy a tunnel to `gateway` goes through: the configured one unless the gateway's host is
 * in PA_NO_PROXY. Credentials come from the proxy URL's Basic authorization.
 */
export function tunnelProxyFor(
  gateway: Gateway,
  proxy: ProxySettings | undefined,
  noProxy: NoProxyList,
): TunnelProxySettings | undefined {
  if (!proxy || noProxy.matches(gateway.host)) return undefined;
  const url = new URL(proxy.origin);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(url.port || '80');
  if (!proxy.authorization) return { host, port };
  const decoded = Buffer.from(proxy.authorization.replace(/^Basic /, ''), 'base64').toString();
  const colon = decoded.indexOf(':');
  return {
    host,
    port,
    credentials: {
      user: colon < 0 ? decoded : decoded.slice(0, colon),
      password: colon < 0 ? '' : decoded.slice(colon + 1),
    },
  };
}
