import { createCertificateAuthority, generateKeyPair, signCertificate } from '@pa-connector/pki';
import type { Identity } from '../../src/identity/identity';

let ca: ReturnType<typeof createCertificateAuthority> | undefined;

/** A test CA shared by a test file (key generation is the slow part). */
export function testCa() {
  ca ??= createCertificateAuthority({ commonName: 'Test SSE CA' });
  return ca;
}

/** A complete identity with a real key pair and a certificate signed by the test CA. */
export function makeIdentity(
  o: { connectorId?: string; lifetimeSeconds?: number; enrolledAt?: string } = {},
): Identity {
  const keys = generateKeyPair();
  const signed = signCertificate({
    ca: testCa(),
    publicKeyPem: keys.publicKeyPem,
    commonName: o.connectorId ?? 'con_test',
    lifetimeSeconds: o.lifetimeSeconds ?? 3600,
    usage: 'client',
  });
  return {
    connectorId: o.connectorId ?? 'con_test',
    groupId: 'grp_test',
    region: 'local',
    hostname: 'vm1',
    gateways: [{ id: 'gw1', name: 'gw1', host: '127.0.0.1', port: 1194, protocol: 'udp' }],
    certificatePem: signed.certPem,
    caChainPems: [testCa().certPem],
    privateKeyPem: keys.privateKeyPem,
    enrolledAt: o.enrolledAt ?? new Date().toISOString(),
  };
}
