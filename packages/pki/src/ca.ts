import forge from 'node-forge';
import { PkiError } from './errors';
import { randomSerialHex } from './forge-helpers';

export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
}

/** Backdating absorbs clock skew between the signer and whoever checks the validity window. */
export const BACKDATE_SECONDS = 300;

/** A self-signed root CA (RSA 2048, sha256), valid `validDays` (default 10 years). */
export function createCertificateAuthority(o: {
  commonName: string;
  validDays?: number;
  now?: Date;
}): CertificateAuthority {
  const validDays = o.validDays ?? 3650;
  if (!o.commonName) throw new PkiError('invalid_argument', 'CA commonName must not be empty');
  if (!Number.isFinite(validDays) || validDays <= 0) {
    throw new PkiError('invalid_argument', `CA validDays must be > 0, got ${validDays}`);
  }
  const now = o.now ?? new Date();
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = randomSerialHex();
  cert.validity.notBefore = new Date(now.getTime() - BACKDATE_SECONDS * 1000);
  cert.validity.notAfter = new Date(now.getTime() + validDays * 86_400_000);
  const name = [{ name: 'commonName', value: o.commonName }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return {
    certPem: forge.pki.certificateToPem(cert),
    keyPem: forge.pki.privateKeyToPem(keys.privateKey),
  };
}
