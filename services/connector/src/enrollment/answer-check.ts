import { X509Certificate } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { isHostOrIp } from '@pa-connector/config';
import {
  type Gateway,
  type RegisterResponse,
  type RenewResponse,
  SseProtocolError,
} from '@pa-connector/sse-api';
import type { Identity } from '../identity/identity';

/**
 * The data-channel ciphers a tunnel may use: AEAD only (a cipher without authentication, or
 * `none`, would let anyone on the path read or change user traffic).
 */
export const DATA_CIPHERS = ['AES-256-GCM', 'AES-128-GCM', 'CHACHA20-POLY1305'] as const;
export type DataCipher = (typeof DATA_CIPHERS)[number];

type Endpoint = 'register' | 'renew';

function refuse(endpoint: Endpoint, what: string): never {
  throw new SseProtocolError(endpoint, `SSE ${endpoint} response ${what}`);
}

const PEM_CERTIFICATE =
  /^-----BEGIN CERTIFICATE-----\r?\n((?:[A-Za-z0-9+/=]{1,76}\r?\n)+)-----END CERTIFICATE-----$/;

/** DER as PEM: 64 base64 characters a line, one trailing newline. */
function pemOf(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/**
 * One certificate, as the PEM of what was parsed: the text must be exactly one PEM block of an
 * X.509 certificate (surrounding whitespace aside), and only its DER is kept, so nothing that
 * travelled with it (text after the block, a second block) can reach an openvpn configuration.
 */
export function reencodeCertificate(text: string, endpoint: Endpoint, field: string): string {
  const m = PEM_CERTIFICATE.exec(text.trim());
  if (!m) refuse(endpoint, `has ${field} that is not exactly one PEM certificate`);
  const der = Buffer.from((m[1] ?? '').replace(/\s/g, ''), 'base64');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch {
    refuse(endpoint, `has ${field} that is not an X.509 certificate`);
  }
  // Bytes after the certificate's DER would be dropped silently by the parser: refuse them.
  if (!cert.raw.equals(der)) refuse(endpoint, `has ${field} with data after the certificate`);
  return pemOf(cert.raw);
}

const STATIC_KEY_BEGIN = '-----BEGIN OpenVPN Static key V1-----';
const STATIC_KEY_END = '-----END OpenVPN Static key V1-----';
const STATIC_KEY_LINE = /^[0-9a-fA-F]{32}$/;

/**
 * An OpenVPN static key (tls-crypt): `#` comment lines may come first (as openvpn --genkey
 * writes them); then the header, exactly 16 lines of 32 hex digits (2048 bits) and the footer,
 * nothing after. Returned as header, lines and footer only. The message never shows the key.
 */
export function reencodeStaticKey(text: string, endpoint: Endpoint, field: string): string {
  const lines = text.trim().split(/\r?\n/);
  let i = 0;
  while (i < lines.length && (lines[i] ?? '').startsWith('#')) i++;
  const body = lines.slice(i);
  if (
    body.length !== 18 ||
    body[0] !== STATIC_KEY_BEGIN ||
    body[17] !== STATIC_KEY_END ||
    !body.slice(1, 17).every((l) => STATIC_KEY_LINE.test(l))
  ) {
    refuse(
      endpoint,
      `has ${field} that is not an OpenVPN static key (header, 16 lines of 32 hex digits, footer)`,
    );
  }
  return `${[STATIC_KEY_BEGIN, ...body.slice(1, 17).map((l) => l.toLowerCase()), STATIC_KEY_END].join('\n')}\n`;
}

export function checkCipher(text: string, endpoint: Endpoint, field: string): DataCipher {
  const cipher = DATA_CIPHERS.find((c) => c === text.toUpperCase());
  if (!cipher) {
    refuse(
      endpoint,
      `has ${field} ${/^[A-Za-z0-9-]{1,40}$/.test(text) ? JSON.stringify(text) : '(unprintable)'} that is not an allowed AEAD cipher (${DATA_CIPHERS.join(', ')})`,
    );
  }
  return cipher;
}

/** Names that end up in openvpn options (verify-x509-name) and in logs. */
const NAME = /^[A-Za-z0-9._-]{1,255}$/;

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function checkGateway(g: Gateway, i: number, endpoint: Endpoint): Gateway {
  const at = `gateways[${i}]`;
  for (const field of ['id', 'name'] as const) {
    const v: unknown = g[field];
    if (typeof v !== 'string' || !NAME.test(v)) {
      refuse(endpoint, `has ${at}.${field} that is not a plain name`);
    }
  }
  if (typeof g.host !== 'string') refuse(endpoint, `has ${at}.host that is not a string`);
  const host = unbracket(g.host);
  // The value is not shown: it came from the SSE and may hold anything.
  if (!isHostOrIp(host)) refuse(endpoint, `has ${at}.host that is not a hostname or IP address`);
  if (!Number.isInteger(g.port) || g.port < 1 || g.port > 65_535) {
    refuse(endpoint, `has ${at}.port that is not an integer from 1 to 65535`);
  }
  if (g.protocol !== 'udp' && g.protocol !== 'tcp')
    refuse(endpoint, `has ${at}.protocol not udp or tcp`);
  const out: Gateway = { id: g.id, name: g.name, host, port: g.port, protocol: g.protocol };
  if (g.serverName !== undefined) {
    if (typeof g.serverName !== 'string' || !NAME.test(g.serverName))
      refuse(endpoint, `has ${at}.serverName that is not a plain name`);
    out.serverName = g.serverName;
  }
  if (g.tunnelAddress !== undefined) {
    if (typeof g.tunnelAddress !== 'string' || !isIPv4(g.tunnelAddress))
      refuse(endpoint, `has ${at}.tunnelAddress that is not an IPv4 address`);
    out.tunnelAddress = g.tunnelAddress;
  }
  if (g.controlUrl !== undefined)
    out.controlUrl = checkControlUrl(g.controlUrl, `${at}.controlUrl`, endpoint);
  return out;
}

function checkControlUrl(text: string, field: string, endpoint: Endpoint): string {
  if (typeof text !== 'string') refuse(endpoint, `has ${field} that is not a string`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    refuse(endpoint, `has ${field} that is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    refuse(endpoint, `has ${field} that is not an http(s) URL`);
  }
  if (url.username || url.password || url.search || url.hash) {
    refuse(endpoint, `has ${field} with credentials, a query or a fragment`);
  }
  return url.href.replace(/\/$/, '');
}

/**
 * The register answer with every value that reaches an openvpn configuration or command line
 * checked and rebuilt from its parsed form: certificates re-encoded from their DER, the
 * tls-crypt key re-emitted from its 16 hex lines, the cipher from the allow-list, gateway hosts,
 * ports and names by their rules. Anything else is a permanent SseProtocolError naming the
 * field; the identity is built from what this returns, so nothing unchecked is stored.
 */
export function checkedRegistration(r: RegisterResponse): RegisterResponse {
  const out: RegisterResponse = {
    ...r,
    certificate: reencodeCertificate(r.certificate, 'register', 'certificate'),
    caChain: r.caChain.map((p, i) => reencodeCertificate(p, 'register', `caChain[${i}]`)),
    gateways: r.gateways.map((g, i) => checkGateway(g, i, 'register')),
  };
  const tunnel = r.tunnel;
  if (tunnel) {
    out.tunnel = {
      tlsCryptKey: reencodeStaticKey(tunnel.tlsCryptKey, 'register', 'tunnel.tlsCryptKey'),
      cipher: checkCipher(tunnel.cipher, 'register', 'tunnel.cipher'),
    };
  }
  return out;
}

/** The renew answer, its certificates re-encoded as in checkedRegistration. */
export function checkedRenewal(r: RenewResponse): RenewResponse {
  return {
    ...r,
    certificate: reencodeCertificate(r.certificate, 'renew', 'certificate'),
    caChain: r.caChain.map((p, i) => reencodeCertificate(p, 'renew', `caChain[${i}]`)),
  };
}

/**
 * A stored identity, checked as its register answer was: one written by a version that did not
 * check (or changed on disk) must not carry anything into an openvpn configuration either.
 */
export function checkedIdentity(id: Identity): Identity {
  const r = checkedRegistration({
    connectorId: id.connectorId,
    groupId: id.groupId,
    region: id.region,
    certificate: id.certificatePem,
    certificateExpiresAt: '',
    caChain: id.caChainPems,
    gateways: id.gateways,
    ...(id.tunnel ? { tunnel: id.tunnel } : {}),
  });
  const out: Identity = {
    ...id,
    certificatePem: r.certificate,
    caChainPems: r.caChain,
    gateways: r.gateways,
  };
  if (r.tunnel) out.tunnel = { tlsCryptKey: r.tunnel.tlsCryptKey, cipher: r.tunnel.cipher };
  return out;
}
