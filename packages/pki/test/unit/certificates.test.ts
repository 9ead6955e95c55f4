import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import {
  certificateInfo,
  createCsr,
  keyMatchesCertificate,
  parseCsr,
  signCertificate,
  verifyChain,
} from '../../src';
import { foreignCa, testCa, testKeys } from './fixtures';

function clientCert(opts: { lifetimeSeconds?: number; now?: Date } = {}) {
  return signCertificate({
    ca: testCa(),
    publicKeyPem: testKeys().publicKeyPem,
    commonName: 'con_1',
    lifetimeSeconds: opts.lifetimeSeconds ?? 3600,
    usage: 'client',
    ...(opts.now ? { now: opts.now } : {}),
  });
}

describe('createCertificateAuthority', () => {
  it('is a self-signed CA that verifies against itself', () => {
    const ca = testCa();
    const x = new X509Certificate(ca.certPem);
    expect(x.ca).toBe(true);
    expect(x.subject).toBe('CN=Test CA');
    expect(verifyChain(ca.certPem, [ca.certPem])).toEqual({ ok: true });
    expect(keyMatchesCertificate(ca.keyPem, ca.certPem)).toBe(true);
  });
});

describe('signCertificate', () => {
  it('issues a client certificate from a CSR with the expected extensions', () => {
    const csr = parseCsr(createCsr({ privateKeyPem: testKeys().privateKeyPem, commonName: 'x' }));
    const signed = signCertificate({
      ca: testCa(),
      publicKeyPem: csr.publicKeyPem,
      commonName: 'con_abc',
      lifetimeSeconds: 600,
      usage: 'client',
    });
    expect(signed.serialNumber).toMatch(/^[0-9a-f]{32}$/);
    expect(Number.parseInt(signed.serialNumber.slice(0, 2), 16)).toBeLessThan(0x80);

    const x = new X509Certificate(signed.certPem);
    expect(x.subject).toBe('CN=con_abc');
    expect(x.issuer).toBe('CN=Test CA');
    expect(x.ca).toBe(false);
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(x.serialNumber.toLowerCase()).toBe(signed.serialNumber);
    expect(x.verify(new X509Certificate(testCa().certPem).publicKey)).toBe(true);
    expect(keyMatchesCertificate(testKeys().privateKeyPem, signed.certPem)).toBe(true);

    const cert = forge.pki.certificateFromPem(signed.certPem);
    expect(cert.siginfo.algorithmOid).toBe(forge.pki.oids.sha256WithRSAEncryption);
    const ski = forge.pki.certificateFromPem(testCa().certPem).generateSubjectKeyIdentifier();
    const aki = cert.getExtension('authorityKeyIdentifier') as { value: string } | null;
    expect(aki).not.toBeNull();
    expect(Buffer.from(aki?.value ?? '', 'binary').toString('hex')).toContain(ski.toHex());
    expect(cert.getExtension('subjectKeyIdentifier')).not.toBeNull();

    const notAfterMs = signed.notAfter.getTime() - Date.now();
    expect(signed.notAfter.getMilliseconds()).toBe(0);
    expect(notAfterMs).toBeGreaterThan(590_000);
    expect(notAfterMs).toBeLessThanOrEqual(600_000);
  });

  it('gives each certificate a different serial', () => {
    expect(clientCert().serialNumber).not.toBe(clientCert().serialNumber);
  });

  it('puts DNS, IPv4 and IPv6 names in the SAN of a server certificate', () => {
    const signed = signCertificate({
      ca: testCa(),
      publicKeyPem: testKeys().publicKeyPem,
      commonName: 'localhost',
      lifetimeSeconds: 600,
      usage: 'server',
      altNames: ['localhost', '127.0.0.1', '::1', '[fd00::5]', 'sse.example.test'],
    });
    const x = new X509Certificate(signed.certPem);
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(x.subjectAltName).toBe(
      'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:FD00:0:0:0:0:0:0:5, DNS:sse.example.test',
    );
    expect(x.checkIP('::1')).toBe('::1');
    expect(x.checkHost('localhost')).toBe('localhost');
  });

  it.each(['bad name;', 'a..example', '*', 'x*.example', `${'a'.repeat(64)}.example`])(
    'refuses the altName %j, neither a DNS name nor an IP',
    (name) => {
      expect(() =>
        signCertificate({
          ca: testCa(),
          publicKeyPem: testKeys().publicKeyPem,
          commonName: 'x',
          lifetimeSeconds: 60,
          usage: 'server',
          altNames: [name],
        }),
      ).toThrow(/altName/);
    },
  );

  it('takes a wildcard as the whole first label', () => {
    const signed = signCertificate({
      ca: testCa(),
      publicKeyPem: testKeys().publicKeyPem,
      commonName: 'x',
      lifetimeSeconds: 60,
      usage: 'server',
      altNames: ['*.apps.example'],
    });
    expect(new X509Certificate(signed.certPem).subjectAltName).toBe('DNS:*.apps.example');
  });
});

describe('verifyChain', () => {
  it('accepts a client certificate issued by the CA, with usage client', () => {
    expect(verifyChain(clientCert().certPem, [testCa().certPem], { usage: 'client' })).toEqual({
      ok: true,
    });
  });

  it('refuses a certificate from a foreign CA', () => {
    const foreign = signCertificate({
      ca: foreignCa(),
      publicKeyPem: testKeys().publicKeyPem,
      commonName: 'con_1',
      lifetimeSeconds: 3600,
      usage: 'client',
    });
    const result = verifyChain(foreign.certPem, [testCa().certPem]);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/not signed by/);
  });

  it('refuses a server certificate when usage client is required', () => {
    const server = signCertificate({
      ca: testCa(),
      publicKeyPem: testKeys().publicKeyPem,
      commonName: 'localhost',
      lifetimeSeconds: 3600,
      usage: 'server',
    });
    expect(verifyChain(server.certPem, [testCa().certPem], { usage: 'server' }).ok).toBe(true);
    const result = verifyChain(server.certPem, [testCa().certPem], { usage: 'client' });
    expect(result).toEqual({ ok: false, reason: 'certificate lacks extendedKeyUsage clientAuth' });
  });

  it('refuses an expired certificate, judged at an injected time', () => {
    const issuedAt = new Date();
    const cert = clientCert({ lifetimeSeconds: 60, now: issuedAt });
    const at = (ms: number) => ({ now: new Date(issuedAt.getTime() + ms) });
    expect(verifyChain(cert.certPem, [testCa().certPem], at(59_000)).ok).toBe(true);
    const result = verifyChain(cert.certPem, [testCa().certPem], at(61_000));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/expired at/);
  });

  it('refuses a certificate not yet valid', () => {
    const cert = clientCert();
    const result = verifyChain(cert.certPem, [testCa().certPem], {
      now: new Date(Date.now() - 3_600_000),
    });
    expect(!result.ok && result.reason).toMatch(/not valid before/);
  });

  it('refuses a chain whose last certificate is not a self-signed root', () => {
    const cert = clientCert();
    const result = verifyChain(cert.certPem, [cert.certPem]);
    expect(result.ok).toBe(false);
  });

  it('refuses an empty chain and garbage without throwing', () => {
    expect(verifyChain(clientCert().certPem, []).ok).toBe(false);
    const result = verifyChain('garbage', [testCa().certPem]);
    expect(!result.ok && result.reason).toMatch(/unparsable/);
  });
});

describe('certificateInfo', () => {
  it('reports serial, names, validity and fingerprint', () => {
    const signed = clientCert();
    const info = certificateInfo(signed.certPem);
    const x = new X509Certificate(signed.certPem);
    expect(info.serialNumber).toBe(signed.serialNumber);
    expect(info.commonName).toBe('con_1');
    expect(info.issuer).toBe('Test CA');
    expect(info.notAfter.getTime()).toBe(signed.notAfter.getTime());
    expect(info.notBefore.getTime()).toBeLessThan(Date.now());
    expect(info.fingerprintSha256).toBe(x.fingerprint256.replace(/:/g, '').toLowerCase());
  });

  it('throws a PkiError for text that is not a certificate', () => {
    expect(() => certificateInfo('nope')).toThrow(
      expect.objectContaining({ code: 'invalid_certificate' }),
    );
  });
});

describe('keyMatchesCertificate', () => {
  it('is false for another key or garbage', () => {
    expect(keyMatchesCertificate(foreignCa().keyPem, clientCert().certPem)).toBe(false);
    expect(keyMatchesCertificate('junk', clientCert().certPem)).toBe(false);
  });
});
