import { createCertificateAuthority, generateKeyPair } from '../../src';

// Key generation is the slow part; build each fixture once per test file.
let ca: ReturnType<typeof createCertificateAuthority> | undefined;
let otherCa: ReturnType<typeof createCertificateAuthority> | undefined;
let keys: ReturnType<typeof generateKeyPair> | undefined;

export function testCa() {
  ca ??= createCertificateAuthority({ commonName: 'Test CA' });
  return ca;
}
export function foreignCa() {
  otherCa ??= createCertificateAuthority({ commonName: 'Foreign CA' });
  return otherCa;
}
export function testKeys() {
  keys ??= generateKeyPair();
  return keys;
}
