export { type CertificateAuthority, createCertificateAuthority } from './ca';
export { createCsr, type ParsedCsr, parseCsr } from './csr';
export { PkiError, type PkiErrorCode } from './errors';
export { type CertificateInfo, certificateInfo } from './info';
export { generateKeyPair, type KeyPairPem, keyMatchesCertificate } from './keys';
export {
  type CertificateUsage,
  type SignCertificateOptions,
  type SignedCertificate,
  signCertificate,
} from './sign';
export { type VerifyOptions, type VerifyResult, verifyChain } from './verify';
