import { createHash } from 'node:crypto';
import forge from 'node-forge';
import { certFromPem, commonNameOf } from './forge-helpers';

export interface CertificateInfo {
  serialNumber: string;
  commonName: string;
  /** The issuer's common name. */
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  /** sha256 of the DER encoding, lowercase hex without separators. */
  fingerprintSha256: string;
}

export function certificateInfo(pem: string): CertificateInfo {
  const cert = certFromPem(pem);
  const der = forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes();
  return {
    serialNumber: cert.serialNumber.toLowerCase(),
    commonName: commonNameOf(cert.subject),
    issuer: commonNameOf(cert.issuer),
    notBefore: cert.validity.notBefore,
    notAfter: cert.validity.notAfter,
    fingerprintSha256: createHash('sha256').update(Buffer.from(der, 'binary')).digest('hex'),
  };
}
