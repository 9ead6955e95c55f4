import { findApps, parseConnectRequest, responseStatus } from '../../../src/ingress';
import type { GroupRecord } from '../../../src/state/model';

describe('parseConnectRequest', () => {
  it.each([
    ['CONNECT wiki.corp:443 HTTP/1.1\r\nHost: wiki.corp:443\r\n\r\n', 'wiki.corp', 443],
    ['CONNECT 10.0.0.5:80 HTTP/1.0\r\n\r\n', '10.0.0.5', 80],
    ['CONNECT [fd00::5]:8080 HTTP/1.1\r\n\r\n', 'fd00::5', 8080],
  ])('reads %j', (head, host, port) => {
    expect(parseConnectRequest(head)).toEqual({ host, port });
  });

  it.each([
    ['GET http://wiki.corp/ HTTP/1.1\r\n\r\n', 405, /only accepts CONNECT/],
    ['CONNECT wiki.corp HTTP/1.1\r\n\r\n', 400, /<host>:<port>/],
    ['CONNECT wiki.corp:0 HTTP/1.1\r\n\r\n', 400, /port 1-65535/],
    ['CONNECT wiki.corp:70000 HTTP/1.1\r\n\r\n', 400, /port 1-65535/],
    ['CONNECT a/b:80 HTTP/1.1\r\n\r\n', 400, /<host>:<port>/],
    ['CONNECT wiki.corp:80\r\n\r\n', 400, /malformed request line/],
  ])('refuses %j', (head, status, message) => {
    let caught: unknown;
    try {
      parseConnectRequest(head);
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ status, message: expect.stringMatching(message) });
  });
});

describe('responseStatus', () => {
  it('reads the status of a response head', () => {
    expect(responseStatus('HTTP/1.1 200 Connection Established\r\n\r\n')).toBe(200);
    expect(responseStatus('HTTP/1.1 403 Forbidden\r\nContent-Length: 3\r\n\r\n')).toBe(403);
    expect(responseStatus('SSH-2.0-OpenSSH\r\n\r\n')).toBeUndefined();
  });
});

describe('findApps', () => {
  const group = (id: string, apps: unknown[]): GroupRecord =>
    ({ id, name: id, region: 'local', apps, catalogVersion: 1, createdAt: '' }) as GroupRecord;

  it('finds host:port in every group, case-insensitive, skipping malformed entries', () => {
    const groups = [
      group('grp_a', [
        { id: 'wiki', host: 'Wiki.Corp', port: 443 },
        { id: 'wiki-http', host: 'wiki.corp', port: 80 },
        null,
        { host: 'wiki.corp', port: 443 },
      ]),
      group('grp_b', [
        { id: 'w6', host: 'fd00::5', port: 443 },
        { id: 'w', host: 'wiki.corp', port: 443 },
      ]),
    ];
    expect(findApps(groups, 'wiki.corp', 443)).toEqual([
      { groupId: 'grp_a', appId: 'wiki' },
      { groupId: 'grp_b', appId: 'w' },
    ]);
    expect(findApps(groups, '[fd00::5]', 443)).toEqual([{ groupId: 'grp_b', appId: 'w6' }]);
    expect(findApps(groups, 'wiki.corp', 8443)).toEqual([]);
  });
});
