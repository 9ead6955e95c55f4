import { certificateRefusal } from '../../../src/edge/certificate-refusal';

describe('certificate refusal reasons from OpenVPN log lines', () => {
  it('names a certificate from another CA', () => {
    expect(
      certificateRefusal(
        'VERIFY ERROR: depth=0, error=unable to get local issuer certificate: CN=gw-expected, serial=123',
      ),
    ).toBe(
      'unable to get local issuer certificate (not issued by the CA of this region) for CN=gw-expected at depth 0',
    );
    expect(
      certificateRefusal(
        'VERIFY ERROR: depth=1, error=self-signed certificate in certificate chain: CN=x',
      ),
    ).toMatch(/not issued by the CA of this region/);
  });

  it('names a missing serverAuth EKU, from OpenSSL or OpenVPN', () => {
    const eku = 'it lacks the serverAuth extended key usage (TLS Web Server Authentication)';
    expect(
      certificateRefusal(
        'VERIFY ERROR: depth=0, error=unsuitable certificate purpose: CN=gw, serial=1',
      ),
    ).toBe(eku);
    expect(certificateRefusal('VERIFY EKU ERROR')).toBe(eku);
  });

  it('names a wrong name and a wrong key usage', () => {
    expect(certificateRefusal('VERIFY X509NAME ERROR: CN=gw-impostor, must be gw-expected')).toBe(
      'its name (CN=gw-impostor) is not the expected gw-expected',
    );
    expect(certificateRefusal('VERIFY KU ERROR')).toMatch(/key usage/);
  });

  it('says nothing about lines that are not refusals', () => {
    for (const line of [
      'VERIFY OK: depth=0, CN=local-gw1',
      'VERIFY EKU OK',
      '++ Certificate has EKU (str) TLS Web Server Authentication, expects TLS Web Server Authentication',
      'VERIFY X509NAME OK: CN=local-gw1',
      'Initialization Sequence Completed',
    ]) {
      expect(certificateRefusal(line)).toBeUndefined();
    }
  });
});
