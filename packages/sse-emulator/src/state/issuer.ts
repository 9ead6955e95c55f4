import {
  type CertificateAuthority,
  type SignedCertificate,
  signCertificate,
  type VerifyResult,
  verifyChain,
} from '@pa-connector/pki';

/** What the state needs from the CA: sign connector certificates and check presented ones. */
export interface CertificateIssuer {
  /** Issuing CA first, root last. */
  readonly caChain: string[];
  issueClientCertificate(o: {
    publicKeyPem: string;
    commonName: string;
    lifetimeSeconds: number;
    now: Date;
  }): SignedCertificate;
  verifyClientCertificate(certPem: string, now: Date): VerifyResult;
}

export function caIssuer(ca: CertificateAuthority): CertificateIssuer {
  return {
    caChain: [ca.certPem],
    issueClientCertificate: (o) =>
      signCertificate({
        ca,
        publicKeyPem: o.publicKeyPem,
        commonName: o.commonName,
        lifetimeSeconds: o.lifetimeSeconds,
        usage: 'client',
        now: o.now,
      }),
    verifyClientCertificate: (certPem, now) =>
      verifyChain(certPem, [ca.certPem], { usage: 'client', now }),
  };
}
