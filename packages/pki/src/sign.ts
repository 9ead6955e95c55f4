import { isIP } from 'node:net';
import { isHostname } from '@pa-connector/config';
import forge from 'node-forge';
import { BACKDATE_SECONDS, type CertificateAuthority } from './ca';
import { PkiError } from './errors';
import { certFromPem, privateKeyFromPem, publicKeyFromPem, randomSerialHex } from './forge-helpers';

export type CertificateUsage = 'client' | 'server';

export interface SignCertificateOptions {
  ca: CertificateAuthority;
  publicKeyPem: string;
  commonName: string;
  lifetimeSeconds: number;
  usage: CertificateUsage;
  /** DNS names and IP literals (v4 or v6) for the subjectAltName. */
  altNames?: string[];
  /** Issue time (default: now). */
  now?: Date;
}

export interface SignedCertificate {
  certPem: string;
  serialNumber: string;
  notAfter: Date;
}

/** Issues an end-entity certificate (sha256, random 128-bit serial) signed by `ca`. */
export function signCertificate(o: SignCertificateOptions): SignedCertificate {
  if (!o.commonName) throw new PkiError('invalid_argument', 'commonName must not be empty');
  if (!Number.isFinite(o.lifetimeSeconds) || o.lifetimeSeconds <= 0) {
    throw new PkiError('invalid_argument', `lifetimeSeconds must be > 0, got ${o.lifetimeSeconds}`);
  }
  if (o.usage !== 'client' && o.usage !== 'server') {
    throw new PkiError('invalid_argument', `usage must be 'client' or 'server', got ${o.usage}`);
  }
  const caCert = certFromPem(o.ca.certPem);
  const caKey = privateKeyFromPem(o.ca.keyPem);
  const now = o.now ?? new Date();

  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKeyFromPem(o.publicKeyPem);
  cert.serialNumber = randomSerialHex();
  // Not before the CA itself, else a fresh CA's first certificates would fail validation.
  const backdated = now.getTime() - BACKDATE_SECONDS * 1000;
  cert.validity.notBefore = wholeSeconds(Math.max(backdated, caCert.validity.notBefore.getTime()));
  // X.509 times have whole seconds: the returned notAfter is exactly what the certificate says.
  cert.validity.notAfter = wholeSeconds(now.getTime() + o.lifetimeSeconds * 1000);
  cert.setSubject([{ name: 'commonName', value: o.commonName }]);
  cert.setIssuer(caCert.subject.attributes);

  const extensions: object[] = [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    o.usage === 'client'
      ? { name: 'extKeyUsage', clientAuth: true }
      : { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectKeyIdentifier' },
    {
      name: 'authorityKeyIdentifier',
      keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes(),
    },
  ];
  if (o.altNames && o.altNames.length > 0) {
    extensions.push({ name: 'subjectAltName', altNames: o.altNames.map(altName) });
  }
  cert.setExtensions(extensions);
  cert.sign(caKey, forge.md.sha256.create());
  return {
    certPem: forge.pki.certificateToPem(cert),
    serialNumber: cert.serialNumber,
    notAfter: cert.validity.notAfter,
  };
}

function wholeSeconds(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}

function altName(name: string): { type: number; value?: string; ip?: string } {
  // Brackets are how IPv6 literals appear in URLs; the SAN holds the bare address.
  const bare = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  if (isIP(bare)) return { type: 7, ip: bare };
  // A wildcard stands for one whole label, the first (RFC 6125).
  if (!isHostname(bare.startsWith('*.') ? bare.slice(2) : bare)) {
    throw new PkiError('invalid_argument', `altName is neither a DNS name nor an IP: ${name}`);
  }
  return { type: 2, value: bare };
}
