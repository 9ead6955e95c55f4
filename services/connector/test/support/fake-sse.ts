import { parseCsr, signCertificate } from '@pa-connector/pki';
import type { RegisterRequest, RegisterResponse, RenewResponse } from '@pa-connector/sse-api';
import { testCa } from './identity-fixture';

/** Signs a CSR the way the SSE would, with the test CA. */
function signCsr(
  csr: string,
  lifetimeSeconds = 3600,
  now?: Date,
): { certificate: string; notAfter: Date; commonName: string } {
  const parsed = parseCsr(csr);
  const signed = signCertificate({
    ca: testCa(),
    publicKeyPem: parsed.publicKeyPem,
    commonName: 'con_1',
    lifetimeSeconds,
    usage: 'client',
    ...(now ? { now } : {}),
  });
  return { certificate: signed.certPem, notAfter: signed.notAfter, commonName: parsed.commonName };
}

export function registerResponse(req: RegisterRequest, lifetimeSeconds = 3600): RegisterResponse {
  const s = signCsr(req.csr, lifetimeSeconds);
  return {
    connectorId: 'con_1',
    groupId: 'grp_1',
    region: req.region ?? 'local',
    certificate: s.certificate,
    certificateExpiresAt: s.notAfter.toISOString(),
    caChain: [testCa().certPem],
    gateways: [
      { id: 'gw1', name: 'gw1', host: '127.0.0.1', port: 1194, protocol: 'udp' },
      { id: 'gw2', name: 'gw2', host: '::1', port: 1195, protocol: 'udp' },
    ],
  };
}

export function renewResponse(csr: string, lifetimeSeconds = 3600, now?: Date): RenewResponse {
  const s = signCsr(csr, lifetimeSeconds, now);
  return {
    certificate: s.certificate,
    certificateExpiresAt: s.notAfter.toISOString(),
    caChain: [testCa().certPem],
  };
}
