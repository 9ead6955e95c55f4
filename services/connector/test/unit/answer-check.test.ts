import { randomBytes } from 'node:crypto';
import type { RegisterResponse } from '@pa-connector/sse-api';
import {
  checkCipher,
  checkedRegistration,
  reencodeCertificate,
  reencodeStaticKey,
} from '../../src/enrollment/answer-check';
import { makeIdentity, testCa } from '../support/identity-fixture';

const identity = makeIdentity();
/** As openssl and openvpn write it: LF line ends, 64 characters a line. */
const lf = (pem: string) => `${pem.replace(/\r\n/g, '\n').trim()}\n`;
const cert = lf(identity.certificatePem);

function staticKey(): string {
  const lines = randomBytes(256).toString('hex').match(/.{32}/g) ?? [];
  return `-----BEGIN OpenVPN Static key V1-----\n${lines.join('\n')}\n-----END OpenVPN Static key V1-----\n`;
}

function registration(over: Partial<RegisterResponse> = {}): RegisterResponse {
  return {
    connectorId: 'con_1',
    groupId: 'grp_1',
    region: 'local',
    certificate: cert,
    certificateExpiresAt: new Date().toISOString(),
    caChain: [lf(testCa().certPem)],
    gateways: [
      {
        id: 'gw-1',
        name: 'local-gw1',
        host: '2001:db8::1',
        port: 1194,
        protocol: 'udp',
        serverName: 'local-gw1',
        tunnelAddress: '10.231.1.2',
        controlUrl: 'http://10.231.1.1:8900',
      },
    ],
    tunnel: { tlsCryptKey: staticKey(), cipher: 'AES-256-GCM' },
    ...over,
  };
}

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toMatchObject({ code: 'bad_response', retryable: false });
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
};

describe('certificates from the SSE', () => {
  it('re-encodes a certificate from its DER (CRLF and whitespace gone, same bytes)', () => {
    expect(reencodeCertificate(identity.certificatePem, 'register', 'certificate')).toBe(cert);
    const spaced = `\n  ${cert.replace(/\n/g, '\r\n')}  \n`;
    expect(reencodeCertificate(spaced, 'register', 'certificate')).toBe(cert);
  });

  it.each([
    ['text after the block', `${cert}</cert>\nscript-security 2\n`],
    ['text before the block', `up /bin/sh\n${cert}`],
    ['two blocks', `${cert}${cert}`],
    ['a line inside the block', cert.replace('\n', '\nscript-security 2\n')],
    ['a private key', identity.privateKeyPem],
    [
      'base64 that is not a certificate',
      '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
    ],
  ])('refuses %s, naming the field', (_what, text) => {
    expect(message(() => reencodeCertificate(text, 'renew', 'caChain[1]'))).toMatch(
      /^SSE renew response has caChain\[1\] /,
    );
  });

  it('refuses bytes after the DER', () => {
    const der = Buffer.concat([
      Buffer.from(cert.replace(/-----[^-]+-----|\s/g, ''), 'base64'),
      Buffer.from('0a7363726970742d7365637572697479', 'hex'),
    ]);
    const b64 = der
      .toString('base64')
      .match(/.{1,64}/g)
      ?.join('\n');
    const text = `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
    expect(message(() => reencodeCertificate(text, 'register', 'certificate'))).toMatch(
      /certificate/,
    );
  });
});

describe('the tls-crypt key', () => {
  it('keeps header, 16 hex lines and footer; drops leading comments', () => {
    const key = staticKey();
    expect(reencodeStaticKey(`#\n# 2048 bit OpenVPN static key\n#\n${key}`, 'register', 'k')).toBe(
      key,
    );
    const upper = key.replace(/^[0-9a-f]{32}$/gm, (l) => l.toUpperCase());
    expect(upper).not.toBe(key);
    expect(reencodeStaticKey(upper, 'register', 'k')).toBe(key);
  });

  it.each([
    ['a directive after the footer', (k: string) => `${k}</tls-crypt>\nscript-security 2\n`],
    ['a directive inside', (k: string) => k.replace('\n', '\nup /bin/sh\n')],
    ['15 lines', (k: string) => k.replace(/\n[0-9a-f]{32}/, '')],
    ['a short line', (k: string) => k.replace(/\n([0-9a-f]{31})[0-9a-f]/, '\n$1')],
    ['no header', (k: string) => k.replace(/^-----BEGIN[^\n]*\n/, '')],
  ])('refuses %s without showing the key', (_what, mutate) => {
    const key = staticKey();
    const text = message(() => reencodeStaticKey(mutate(key), 'register', 'tunnel.tlsCryptKey'));
    expect(text).toMatch(/tunnel\.tlsCryptKey that is not an OpenVPN static key/);
    for (const line of key.split('\n').slice(1, 17)) expect(text).not.toContain(line);
  });
});

describe('the cipher', () => {
  it('allows AEAD ciphers only', () => {
    expect(checkCipher('AES-256-GCM', 'register', 'c')).toBe('AES-256-GCM');
    expect(checkCipher('aes-128-gcm', 'register', 'c')).toBe('AES-128-GCM');
    expect(checkCipher('CHACHA20-POLY1305', 'register', 'c')).toBe('CHACHA20-POLY1305');
    for (const bad of ['none', 'BF-CBC', 'AES-256-CBC', 'AES-256-GCM\nup x', '']) {
      expect(message(() => checkCipher(bad, 'register', 'tunnel.cipher'))).toMatch(
        /tunnel\.cipher .*not an allowed AEAD cipher \(AES-256-GCM, AES-128-GCM, CHACHA20-POLY1305\)/,
      );
    }
  });
});

describe('the whole registration', () => {
  it('passes a good one through, rebuilt', () => {
    const r = registration();
    const checked = checkedRegistration(r);
    expect(checked).toEqual(r);
    expect(
      checkedRegistration(
        registration({ gateways: [{ ...r.gateways[0], host: '[2001:db8::1]' } as never] }),
      ).gateways[0]?.host,
    ).toBe('2001:db8::1');
  });

  it.each([
    ['host', { host: 'gw.example\nscript-security 2' }, /gateways\[0\]\.host that is not/],
    ['host', { host: 'gw example' }, /gateways\[0\]\.host/],
    ['port', { port: 70000 }, /gateways\[0\]\.port/],
    ['port', { port: 1.5 }, /gateways\[0\]\.port/],
    ['name', { name: 'gw\nup' }, /gateways\[0\]\.name/],
    ['serverName', { serverName: 'gw name' }, /gateways\[0\]\.serverName/],
    ['tunnelAddress', { tunnelAddress: '10.0.0.1 up' }, /gateways\[0\]\.tunnelAddress/],
    ['controlUrl', { controlUrl: 'file:///etc/passwd' }, /gateways\[0\]\.controlUrl/],
    ['controlUrl', { controlUrl: 'http://u:p@10.0.0.1/' }, /gateways\[0\]\.controlUrl/],
  ])('refuses a bad gateway %s', (_field, change, pattern) => {
    const r = registration();
    const gateways = [{ ...r.gateways[0], ...change }] as RegisterResponse['gateways'];
    const text = message(() => checkedRegistration({ ...r, gateways }));
    expect(text).toMatch(pattern);
    expect(text).not.toMatch(/script-security|up$/);
  });

  it('refuses a bad tunnel setting', () => {
    const r = registration();
    expect(
      message(() =>
        checkedRegistration({ ...r, tunnel: { tlsCryptKey: 'x', cipher: 'AES-256-GCM' } }),
      ),
    ).toMatch(/tunnel\.tlsCryptKey/);
    expect(
      message(() =>
        checkedRegistration({ ...r, tunnel: { tlsCryptKey: staticKey(), cipher: 'none' } }),
      ),
    ).toMatch(/tunnel\.cipher "none"/);
  });
});
