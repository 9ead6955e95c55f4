import { type CertificateAuthority, generateKeyPair, signCertificate } from '@pa-connector/pki';

const DEFAULT_TLS_NAMES = ['localhost', '127.0.0.1', '::1'];

/**
 * A fresh TLS server key and certificate for the SSE listener, signed by the emulator CA. Made
 * at every start (the key never touches disk); clients trust the CA, not this certificate.
 */
export function issueServerCertificate(
  ca: CertificateAuthority,
  extraNames: string[],
  now: Date,
): { keyPem: string; certPem: string } {
  const { privateKeyPem, publicKeyPem } = generateKeyPair();
  const names = [...new Set([...DEFAULT_TLS_NAMES, ...extraNames])];
  const cert = signCertificate({
    ca,
    publicKeyPem,
    commonName: names[0] ?? 'localhost',
    lifetimeSeconds: 365 * 86_400,
    usage: 'server',
    altNames: names,
    now,
  });
  return { keyPem: privateKeyPem, certPem: cert.certPem };
}
