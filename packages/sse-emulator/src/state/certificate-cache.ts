import { type CertificateInfo, certificateInfo } from '@pa-connector/pki';

/** Client certificates whose parse is kept (a few per connector in use). */
const PARSED_CERTS_MAX = 256;

/**
 * Parsed client certificates, by PEM: a connector presents the same one on every request and
 * node-forge takes about a millisecond to parse it. Bounded; the oldest entry goes first.
 */
export class CertificateCache {
  private readonly parsed = new Map<string, CertificateInfo>();

  info(pem: string): CertificateInfo {
    let info = this.parsed.get(pem);
    if (!info) {
      info = certificateInfo(pem);
      if (this.parsed.size >= PARSED_CERTS_MAX) {
        this.parsed.delete(this.parsed.keys().next().value as string);
      }
      this.parsed.set(pem, info);
    }
    return info;
  }
}
