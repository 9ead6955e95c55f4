import { headEnd, parseConnect } from '../../../src/proxy/connect-request';

const head = (s: string) => Buffer.from(s, 'latin1');

describe('parseConnect', () => {
  it('reads host and port of CONNECT, hostnames lower-cased', () => {
    expect(parseConnect(head('CONNECT App.Internal:443 HTTP/1.1\r\nHost: x\r\n\r\n'))).toEqual({
      ok: true,
      host: 'app.internal',
      port: 443,
    });
  });

  it('reads bracketed IPv6 targets in canonical form', () => {
    expect(parseConnect(head('CONNECT [FD00:0:0::1]:80 HTTP/1.1\r\n\r\n'))).toEqual({
      ok: true,
      host: 'fd00::1',
      port: 80,
    });
  });

  it('refuses other methods with 405', () => {
    expect(parseConnect(head('GET / HTTP/1.1\r\n\r\n'))).toMatchObject({ ok: false, status: 405 });
  });

  it.each([
    'CONNECT app:0 HTTP/1.1',
    'CONNECT app:65536 HTTP/1.1',
    'CONNECT app HTTP/1.1',
    'CONNECT fd00::1:80 HTTP/1.1',
    'CONNECT [app]:80 HTTP/1.1',
    'CONNECT a_b:80 HTTP/1.1',
    'CONNECT a..internal:80 HTTP/1.1',
    'CONNECT -a.internal:80 HTTP/1.1',
    'CONNECT app:80 HTTP/2.0',
    'garbage',
    '',
  ])('refuses %j with 400', (line) => {
    expect(parseConnect(head(`${line}\r\n\r\n`))).toMatchObject({ ok: false, status: 400 });
  });
});

describe('headEnd', () => {
  it('finds the blank line (CRLF or LF) or says the head is incomplete', () => {
    expect(headEnd(head('CONNECT a:1 HTTP/1.1\r\n\r\nrest'))).toBe(24);
    expect(headEnd(head('CONNECT a:1 HTTP/1.1\n\nrest'))).toBe(22);
    expect(headEnd(head('CONNECT a:1 HTTP/1.1\r\n'))).toBe(-1);
  });
});
