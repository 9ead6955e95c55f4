import { CodedError } from '@pa-connector/config';
import type { Gateway } from '@pa-connector/sse-api';
import { DATA_CIPHERS } from '../enrollment/answer-check';
import { SOCKET_BUFFER_BYTES } from './socket-buffers';

/** Where a tunnel's proxy is and, when it needs credentials, the file holding them. */
export interface TunnelProxy {
  host: string;
  port: number;
  /** Path of the 0600 file with the user name and password (one per line). */
  authFile?: string;
}

/** OpenVPN's liveness settings for a tunnel, in seconds. */
export interface TunnelTiming {
  /** Send a ping when nothing was sent for this long. */
  pingSeconds: number;
  /** Restart the connection when nothing was received for this long. */
  pingRestartSeconds: number;
  /** Cap of OpenVPN's own backoff between connection attempts. */
  connectRetryMaxSeconds: number;
}

export interface ClientConfigOptions {
  gateway: Gateway;
  /** tun device name, unique per tunnel. */
  device: string;
  certificatePem: string;
  caChainPems: string[];
  privateKeyPem: string;
  tlsCryptKey: string;
  cipher: string;
  managementSocket: string;
  /** Where openvpn writes its PID, so a leftover of a connector that died can be ended. */
  pidFile: string;
  timing: TunnelTiming;
  proxy?: TunnelProxy;
}

/** A gateway that cannot be written into a configuration. */
export class TunnelConfigError extends CodedError {
  declare readonly code: 'tunnel_config_invalid';
  declare readonly retryable: false;

  constructor(message: string) {
    super('tunnel_config_invalid', message);
    this.name = 'TunnelConfigError';
  }
}

/**
 * How long one connection attempt may take to get an answer (TCP connect, proxy CONNECT, first
 * packet) before OpenVPN tries again. Not shorter: through an HTTP proxy the attempt starts with
 * the proxy handshake.
 */
const SERVER_POLL_TIMEOUT_SECONDS = 10;

const SAFE_NAME = /^[A-Za-z0-9._-]{1,255}$/;
const SAFE_HOST = /^[A-Za-z0-9.:_-]{1,255}$/;
const SAFE_DEVICE = /^[A-Za-z0-9_-]{1,15}$/;

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * An inline block. PEM and static keys never hold `<` or `>`: a blob that does could close the
 * block and add directives of its own, so it is refused (the blobs are checked and re-encoded
 * where they enter; this is the last line).
 */
function inline(tag: string, pem: string): string[] {
  if (/[<>]/.test(pem)) throw new TunnelConfigError(`the ${tag} block holds a '<' or '>'`);
  return [`<${tag}>`, pem.trim(), `</${tag}>`];
}

/**
 * The client configuration of one tunnel. Everything it needs is inline (certificate, key, CA
 * chain, tls-crypt key) so the file is the only place outside the identity store that holds the
 * key; it is written 0600 in a 0700 directory and only its path is passed to openvpn.
 *
 * Liveness: the gateway's pushed `ping`/`ping-restart` are ignored so a dead gateway is noticed
 * after `pingRestartSeconds`; `tls-timeout 1` retransmits handshake packets quickly.
 * `management-hold` lets the connector decide when each (re)connection starts.
 */
/** Pushed options refused (prefixes, as pull-filter matches them). */
const PUSH_IGNORED = [
  'redirect-gateway',
  'redirect-private',
  'route ',
  'route-ipv6',
  'ifconfig-ipv6',
  'dhcp-option',
  'block-outside-dns',
  'comp-lzo',
  'compress',
] as const;

export function buildClientConfig(o: ClientConfigOptions): string {
  const g = o.gateway;
  const host = unbracket(g.host);
  if (!SAFE_HOST.test(host)) {
    throw new TunnelConfigError(`gateway ${g.name}: host ${JSON.stringify(g.host)} is not valid`);
  }
  if (!Number.isInteger(g.port) || g.port < 1 || g.port > 65_535) {
    throw new TunnelConfigError(`gateway ${g.name}: port ${g.port} is not valid`);
  }
  if (g.protocol !== 'udp' && g.protocol !== 'tcp') {
    throw new TunnelConfigError(`gateway ${g.name}: protocol ${String(g.protocol)} is not udp/tcp`);
  }
  if (!g.serverName || !SAFE_NAME.test(g.serverName)) {
    throw new TunnelConfigError(
      `gateway ${g.name}: no usable serverName to check its certificate against`,
    );
  }
  if (!SAFE_DEVICE.test(o.device)) {
    throw new TunnelConfigError(`device name ${JSON.stringify(o.device)} is not valid`);
  }
  if (!(DATA_CIPHERS as readonly string[]).includes(o.cipher)) {
    throw new TunnelConfigError(
      `cipher ${JSON.stringify(o.cipher)} is not one of ${DATA_CIPHERS.join(', ')}`,
    );
  }
  if (o.proxy && g.protocol !== 'tcp') {
    throw new TunnelConfigError(
      `gateway ${g.name} uses UDP; an HTTP proxy carries TCP only (use a TCP gateway or PA_NO_PROXY)`,
    );
  }
  if (o.proxy && !SAFE_HOST.test(unbracket(o.proxy.host))) {
    throw new TunnelConfigError(`proxy host ${JSON.stringify(o.proxy.host)} is not valid`);
  }
  if (o.proxy?.authFile && /\s/.test(o.proxy.authFile)) {
    throw new TunnelConfigError('the proxy credentials file path must not contain spaces');
  }
  const t = o.timing;
  const lines = [
    '# Generated by the connector for one tunnel; rewritten at every start.',
    'client',
    // A device name not starting with "tun" needs its type said explicitly.
    'dev-type tun',
    `dev ${o.device}`,
    `proto ${g.protocol === 'udp' ? 'udp' : 'tcp-client'}`,
    `remote ${host} ${g.port}`,
    'nobind',
    // Default socket buffers drop datagrams at the connector under bulk load (measured by the
    // data-path bench); the gateways use the same sizes.
    `sndbuf ${SOCKET_BUFFER_BYTES}`,
    `rcvbuf ${SOCKET_BUFFER_BYTES}`,
    'txqueuelen 1000',
    'remote-cert-tls server',
    `verify-x509-name ${g.serverName} name`,
    'tls-version-min 1.2',
    `data-ciphers ${o.cipher}`,
    'pull-filter ignore "ping"',
    // What a gateway pushes is input too: it gets the tunnel address and nothing that would
    // steer the host's own traffic or DNS into the tunnel, or turn compression on.
    ...PUSH_IGNORED.map((o) => `pull-filter ignore "${o}"`),
    'allow-compression no',
    `ping ${t.pingSeconds}`,
    `ping-restart ${t.pingRestartSeconds}`,
    'tls-timeout 1',
    `connect-retry 1 ${t.connectRetryMaxSeconds}`,
    `server-poll-timeout ${SERVER_POLL_TIMEOUT_SECONDS}`,
    ...(g.protocol === 'udp' ? ['explicit-exit-notify 1', 'fast-io'] : ['tcp-nodelay']),
    ...(o.proxy
      ? [
          `http-proxy ${unbracket(o.proxy.host)} ${o.proxy.port}${o.proxy.authFile ? ` ${o.proxy.authFile} basic` : ''}`,
        ]
      : []),
    `writepid ${o.pidFile}`,
    `management ${o.managementSocket} unix`,
    'management-hold',
    'verb 3',
    ...inline('ca', o.caChainPems.join('\n')),
    ...inline('cert', o.certificatePem),
    ...inline('key', o.privateKeyPem),
    ...inline('tls-crypt', o.tlsCryptKey),
  ];
  return `${lines.join('\n')}\n`;
}

/** `host:port/proto` of a gateway, as shown in tunnel state. */
export function remoteOf(g: Gateway): string {
  const host = g.host.includes(':') && !g.host.startsWith('[') ? `[${g.host}]` : g.host;
  return `${host}:${g.port}/${g.protocol}`;
}
