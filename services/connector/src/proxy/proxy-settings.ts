import { type ConfigOf, setting } from '@pa-connector/config';

/** Settings of the CONNECT proxy; spread into the connector's schema. */
export function proxySettings() {
  return {
    proxyPort: setting.int({
      env: 'PA_PROXY_PORT',
      description:
        "TCP port of the CONNECT proxy on each tunnel's address (sent to the gateways in health updates).",
      default: 3128,
      min: 1,
      max: 65535,
    }),
    proxyMaxConnections: setting.int({
      env: 'PA_PROXY_MAX_CONNECTIONS',
      description: 'Connections the proxy holds open at most; beyond that new ones get 503.',
      default: 20_000,
      min: 1,
    }),
    proxyMaxConnectionsPerApp: setting.int({
      env: 'PA_PROXY_MAX_CONNECTIONS_PER_APP',
      description: 'Connections to one app at most; beyond that new ones to it get 503.',
      default: 10_000,
      min: 1,
    }),
    proxyHeaderTimeout: setting.duration({
      env: 'PA_PROXY_HEADER_TIMEOUT',
      description: 'Time a client has to send the whole CONNECT request head (then 408).',
      default: 5_000,
      min: 10,
      max: 300_000,
    }),
    proxyIdleTimeout: setting.duration({
      env: 'PA_PROXY_IDLE_TIMEOUT',
      description: 'A piped connection with no bytes either way for this long is closed.',
      default: 300_000,
      min: 100,
      max: 86_400_000,
    }),
    proxyDialTimeout: setting.duration({
      env: 'PA_PROXY_DIAL_TIMEOUT',
      description: 'Time to connect to the chosen app server (then 504).',
      default: 5_000,
      min: 10,
      max: 300_000,
    }),
    proxyDrainGrace: setting.duration({
      env: 'PA_PROXY_DRAIN_GRACE',
      description:
        "On shutdown, and before a tunnel is restarted for a renewed certificate, open connections may finish for this long before they are cut (at most 60s: the process's stop timeout adds 15s to it, and compose and the update service allow 90s).",
      default: 10_000,
      min: 0,
      max: 60_000,
    }),
  };
}

export type ProxyConfig = ConfigOf<ReturnType<typeof proxySettings>>;
