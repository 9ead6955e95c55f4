import forge from 'node-forge';
import { PkiError } from './errors';
import { commonNameOf, describe, privateKeyFromPem } from './forge-helpers';

const CSR_PEM =
  /-----BEGIN (NEW )?CERTIFICATE REQUEST-----([\s\S]*?)-----END (NEW )?CERTIFICATE REQUEST-----/;
const BASE64_BODY = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

/** PKCS#10 request for `commonName`, signed (sha256) with the private key. */
export function createCsr(o: { privateKeyPem: string; commonName: string }): string {
  const privateKey = privateKeyFromPem(o.privateKeyPem);
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.rsa.setPublicKey(privateKey.n, privateKey.e);
  csr.setSubject([{ name: 'commonName', value: o.commonName }]);
  csr.sign(privateKey, forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}

export interface ParsedCsr {
  commonName: string;
  publicKeyPem: string;
}

/**
 * Parses and verifies a CSR (proof of possession of the private key). Every failure is a PkiError
 * 'invalid_csr' whose message says what is wrong: empty, not PEM, undecodable, or a bad signature.
 */
export function parseCsr(pem: string): ParsedCsr {
  if (typeof pem !== 'string' || pem.trim() === '') {
    throw invalid('CSR is empty');
  }
  const m = CSR_PEM.exec(pem);
  if (!m) {
    throw invalid('CSR is not PEM (expected a "BEGIN CERTIFICATE REQUEST" block)');
  }
  const body = m[2] ?? '';
  if (!BASE64_BODY.test(body) || body.replace(/\s/g, '').length % 4 !== 0) {
    throw invalid('CSR PEM body is not valid base64');
  }
  let csr: ReturnType<typeof forge.pki.certificationRequestFromPem>;
  try {
    csr = forge.pki.certificationRequestFromPem(m[0]);
  } catch (cause) {
    throw invalid(`CSR could not be decoded: ${describe(cause)}`, cause);
  }
  let verified = false;
  try {
    verified = csr.verify();
  } catch (cause) {
    throw invalid(`CSR signature does not verify: ${describe(cause)}`, cause);
  }
  if (!verified || !csr.publicKey) {
    throw invalid('CSR signature does not verify');
  }
  return {
    commonName: commonNameOf(csr.subject),
    publicKeyPem: forge.pki.publicKeyToPem(csr.publicKey),
  };
}

function invalid(message: string, cause?: unknown): PkiError {
  return new PkiError('invalid_csr', message, cause === undefined ? undefined : { cause });
}
