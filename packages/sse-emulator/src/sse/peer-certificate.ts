import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';

/** How a route learns the caller's client certificate (PEM), if it sent one. */
export type PeerCertificateSource = (request: FastifyRequest) => string | undefined;

/**
 * From the TLS socket. The listener asks for a certificate but accepts the handshake without
 * one (rejectUnauthorized: false) so `register` works; each route decides what it needs.
 */
export const tlsPeerCertificate: PeerCertificateSource = (request) => {
  const socket = request.raw.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const peer = socket.getPeerCertificate(false);
  if (!peer?.raw) return undefined;
  const lines = peer.raw.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
};
