import forge from 'node-forge';
import { createCsr, generateKeyPair, PkiError, parseCsr } from '../../src';
import { testKeys } from './fixtures';

function expectInvalidCsr(pem: string, message: RegExp): void {
  try {
    parseCsr(pem);
  } catch (err) {
    expect(err).toBeInstanceOf(PkiError);
    expect((err as PkiError).code).toBe('invalid_csr');
    expect((err as PkiError).retryable).toBe(false);
    expect((err as PkiError).message).toMatch(message);
    return;
  }
  throw new Error('parseCsr accepted a bad CSR');
}

describe('generateKeyPair', () => {
  it('returns a 2048-bit RSA pair in PEM', () => {
    const { privateKeyPem, publicKeyPem } = testKeys();
    expect(privateKeyPem).toContain('BEGIN RSA PRIVATE KEY');
    expect(publicKeyPem).toContain('BEGIN PUBLIC KEY');
    const pub = forge.pki.publicKeyFromPem(publicKeyPem) as forge.pki.rsa.PublicKey;
    expect(pub.n.bitLength()).toBe(2048);
  });

  it('refuses key sizes below 2048', () => {
    expect(() => generateKeyPair(1024)).toThrow(PkiError);
  });
});

describe('createCsr / parseCsr', () => {
  it('round-trips the common name and public key', () => {
    const { privateKeyPem, publicKeyPem } = testKeys();
    const pem = createCsr({ privateKeyPem, commonName: 'host-1' });
    const parsed = parseCsr(pem);
    expect(parsed.commonName).toBe('host-1');
    expect(parsed.publicKeyPem.replace(/\s/g, '')).toBe(publicKeyPem.replace(/\s/g, ''));
  });

  it('rejects an empty CSR', () => {
    expectInvalidCsr('', /empty/);
    expectInvalidCsr('   \n', /empty/);
  });

  it('rejects text that is not PEM', () => {
    expectInvalidCsr('hello world', /not PEM/);
  });

  it('rejects a PEM block with mangled base64', () => {
    const pem = createCsr({ privateKeyPem: testKeys().privateKeyPem, commonName: 'h' });
    const lines = pem.split('\n');
    lines[2] = `${(lines[2] ?? '').slice(0, 10)}!!**${(lines[2] ?? '').slice(14)}`;
    expectInvalidCsr(lines.join('\n'), /base64/);
  });

  it('rejects a PEM block whose content is not a CSR', () => {
    const body = Buffer.from('definitely not DER').toString('base64');
    expectInvalidCsr(
      `-----BEGIN CERTIFICATE REQUEST-----\n${body}\n-----END CERTIFICATE REQUEST-----\n`,
      /could not be decoded/,
    );
  });

  it('rejects a CSR whose signature does not verify', () => {
    const pem = createCsr({ privateKeyPem: testKeys().privateKeyPem, commonName: 'honest' });
    const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''), 'base64');
    // The DER ends with the signature bit string: flip its last byte.
    der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0xff;
    const body = der.toString('base64').replace(/(.{64})/g, '$1\n');
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${body}\n-----END CERTIFICATE REQUEST-----\n`;
    expectInvalidCsr(tampered, /signature does not verify/);
  });
});
