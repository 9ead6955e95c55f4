import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { PkiError } from './errors';

export interface KeyPairPem {
  privateKeyPem: string;
  publicKeyPem: string;
}

/**
 * RSA key pair. forge delegates to Node's native generateKeyPairSync when it exists (Node >= 10.12),
 * so 2048 bits take a few hundred milliseconds rather than seconds.
 */
export function generateKeyPair(bits = 2048): KeyPairPem {
  if (!Number.isInteger(bits) || bits < 2048) {
    throw new PkiError('invalid_argument', `RSA key size must be an integer >= 2048, got ${bits}`);
  }
  const pair = forge.pki.rsa.generateKeyPair({ bits, e: 0x10001 });
  return {
    privateKeyPem: forge.pki.privateKeyToPem(pair.privateKey),
    publicKeyPem: forge.pki.publicKeyToPem(pair.publicKey),
  };
}

/** True when the certificate's public key is the public half of the private key. */
export function keyMatchesCertificate(privateKeyPem: string, certPem: string): boolean {
  try {
    const fromKey = createPublicKey(createPrivateKey(privateKeyPem)).export({
      type: 'spki',
      format: 'der',
    });
    const fromCert = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
    return fromKey.equals(fromCert);
  } catch {
    return false;
  }
}
