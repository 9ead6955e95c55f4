import forge from 'node-forge';
import { describe } from './forge-helpers';
import type { CertificateUsage } from './sign';

export type VerifyResult = { ok: true } | { ok: false; reason: string };

export interface VerifyOptions {
  /** Require extendedKeyUsage clientAuth ('client') or serverAuth ('server') on the leaf. */
  usage?: CertificateUsage;
  now?: Date;
}

/**
 * Checks that `certPem` chains through `chainPems` (issuer first) to the last one, which must be a
 * self-signed root the caller trusts; that every certificate is inside its validity window; that
 * issuers are CAs; and the leaf's EKU when `usage` is given. Never throws.
 */
export function verifyChain(
  certPem: string,
  chainPems: string[],
  opts: VerifyOptions = {},
): VerifyResult {
  const now = opts.now ?? new Date();
  let certs: forge.pki.Certificate[];
  try {
    certs = [certPem, ...chainPems].map((pem) => forge.pki.certificateFromPem(pem));
  } catch (err) {
    return { ok: false, reason: `unparsable certificate: ${describe(err)}` };
  }
  if (chainPems.length === 0) return { ok: false, reason: 'empty CA chain' };

  for (const [i, cert] of certs.entries()) {
    const what = i === 0 ? 'certificate' : `chain[${i - 1}]`;
    if (now < cert.validity.notBefore) {
      return {
        ok: false,
        reason: `${what} is not valid before ${cert.validity.notBefore.toISOString()}`,
      };
    }
    if (now > cert.validity.notAfter) {
      return { ok: false, reason: `${what} expired at ${cert.validity.notAfter.toISOString()}` };
    }
    const issuer = certs[i + 1] ?? cert;
    if (i > 0 && !isCa(cert)) return { ok: false, reason: `${what} is not a CA certificate` };
    if (!signedBy(cert, issuer)) {
      return {
        ok: false,
        reason:
          issuer === cert
            ? `${what} (root) is not self-signed`
            : `${what} is not signed by ${i === 0 ? 'chain[0]' : `chain[${i}]`}`,
      };
    }
  }

  if (opts.usage) {
    const leaf = certs[0] as forge.pki.Certificate;
    const eku = leaf.getExtension('extKeyUsage') as {
      clientAuth?: boolean;
      serverAuth?: boolean;
    } | null;
    const needed = opts.usage === 'client' ? 'clientAuth' : 'serverAuth';
    if (!eku?.[needed]) {
      return { ok: false, reason: `certificate lacks extendedKeyUsage ${needed}` };
    }
  }
  return { ok: true };
}

function isCa(cert: forge.pki.Certificate): boolean {
  const bc = cert.getExtension('basicConstraints') as { cA?: boolean } | null;
  return bc?.cA === true;
}

function signedBy(cert: forge.pki.Certificate, issuer: forge.pki.Certificate): boolean {
  try {
    return issuer.verify(cert);
  } catch {
    return false;
  }
}
