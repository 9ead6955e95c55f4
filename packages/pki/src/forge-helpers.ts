import { randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { PkiError } from './errors';

/** Certificates and keys as forge objects; PEM is the only form that crosses the API. */
export function certFromPem(pem: string): forge.pki.Certificate {
  try {
    return forge.pki.certificateFromPem(pem);
  } catch (cause) {
    throw new PkiError('invalid_certificate', `not a PEM X.509 certificate: ${describe(cause)}`, {
      cause,
    });
  }
}

export function privateKeyFromPem(pem: string): forge.pki.rsa.PrivateKey {
  try {
    return forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  } catch (cause) {
    throw new PkiError('invalid_key', `not a PEM RSA private key: ${describe(cause)}`, { cause });
  }
}

export function publicKeyFromPem(pem: string): forge.pki.rsa.PublicKey {
  try {
    return forge.pki.publicKeyFromPem(pem) as forge.pki.rsa.PublicKey;
  } catch (cause) {
    throw new PkiError('invalid_key', `not a PEM RSA public key: ${describe(cause)}`, { cause });
  }
}

/**
 * 16 random bytes as a positive DER INTEGER: the top bit is cleared (else it reads as negative)
 * and the next one set (else the leading byte could be 0 and the encoding non-minimal).
 */
export function randomSerialHex(random: (n: number) => Buffer = randomBytes): string {
  const bytes = random(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}

export function commonNameOf(
  entity: forge.pki.Certificate['subject'] | forge.pki.Certificate['issuer'],
): string {
  const field = entity.getField('CN') as { value?: unknown } | null;
  return typeof field?.value === 'string' ? field.value : '';
}

export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
