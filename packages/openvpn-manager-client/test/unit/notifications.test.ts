import { ClientNotificationAssembler } from '../../src/protocol/client-notification';
import { decodeNotification, splitNotification } from '../../src/protocol/notification';
import { parsePasswordPayload } from '../../src/protocol/password';

const decode = (line: string) => decodeNotification(splitNotification(line));

describe('decodeNotification', () => {
  test('>STATE with every field (client CONNECTED, IPv4 and IPv6)', () => {
    expect(
      decode('>STATE:1795433296,CONNECTED,SUCCESS,10.99.0.2,127.0.0.1,1194,,,fd99::1000'),
    ).toEqual({
      event: 'state',
      data: {
        time: new Date(1795433296000),
        timestamp: 1795433296,
        state: 'CONNECTED',
        description: 'SUCCESS',
        localIp: '10.99.0.2',
        remoteIp: '127.0.0.1',
        remotePort: 1194,
        localAddr: undefined,
        localPort: undefined,
        localIpv6: 'fd99::1000',
      },
    });
  });

  test('>STATE with only time and name, and with a reason', () => {
    expect(decode('>STATE:1795433053,WAIT,,,,,,')).toMatchObject({
      event: 'state',
      data: { state: 'WAIT', description: '', localIp: undefined, remotePort: undefined },
    });
    expect(
      decode('>STATE:1795433114,RECONNECTING,server-pushed-connection-reset,,,,,'),
    ).toMatchObject({
      data: { state: 'RECONNECTING', description: 'server-pushed-connection-reset' },
    });
  });

  test('>STATE from a newer OpenVPN with a state this package does not know is kept', () => {
    expect(decode('>STATE:1795433053,SOMETHING_NEW,,,,,,')).toMatchObject({
      data: { state: 'SOMETHING_NEW' },
    });
  });

  test('malformed >STATE is left to the generic notification', () => {
    expect(decode('>STATE:yesterday,WAIT')).toBeUndefined();
  });

  test('>BYTECOUNT and >BYTECOUNT_CLI', () => {
    expect(decode('>BYTECOUNT:3981,4071')).toEqual({
      event: 'bytecount',
      data: { bytesIn: 3981, bytesOut: 4071 },
    });
    expect(decode('>BYTECOUNT_CLI:1,2146,2228')).toEqual({
      event: 'bytecountClient',
      data: { clientId: 1, bytesIn: 2146, bytesOut: 2228 },
    });
    expect(decode('>BYTECOUNT:x,1')).toBeUndefined();
  });

  test('>HOLD with and without the wait seconds', () => {
    expect(decode('>HOLD:Waiting for hold release:10')).toEqual({
      event: 'hold',
      data: { message: 'Waiting for hold release', waitSeconds: 10 },
    });
    expect(decode('>HOLD:Waiting for hold release')).toEqual({
      event: 'hold',
      data: { message: 'Waiting for hold release', waitSeconds: 0 },
    });
  });

  test('>LOG keeps commas in the message; flags may be empty', () => {
    expect(
      decode('>LOG:1795433081,N,read UDPv4 [ECONNREFUSED]: Connection refused (fd=5,code=111)'),
    ).toEqual({
      event: 'log',
      data: {
        time: new Date(1795433081000),
        timestamp: 1795433081,
        flags: 'N',
        message: 'read UDPv4 [ECONNREFUSED]: Connection refused (fd=5,code=111)',
      },
    });
    expect(decode('>LOG:1795433081,,MANAGEMENT: >STATE:1795433081,WAIT,,,,,,')).toMatchObject({
      data: { flags: '', message: 'MANAGEMENT: >STATE:1795433081,WAIT,,,,,,' },
    });
  });

  test('>ECHO, >INFO, >FATAL', () => {
    expect(decode('>ECHO:1795433296,hello-from-server')).toMatchObject({
      event: 'echo',
      data: { timestamp: 1795433296, message: 'hello-from-server' },
    });
    expect(
      decode(">INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info"),
    ).toEqual({
      event: 'info',
      data: { message: "OpenVPN Management Interface Version 5 -- type 'help' for more info" },
    });
    expect(
      decode(
        '>FATAL:ERROR: Cannot open TUN/TAP dev /nonexistent/tun: No such file or directory (errno=2)',
      ),
    ).toEqual({
      event: 'fatal',
      data: {
        message:
          'ERROR: Cannot open TUN/TAP dev /nonexistent/tun: No such file or directory (errno=2)',
      },
    });
  });

  test('>NEED-OK and >NEED-STR (management-notes.txt examples)', () => {
    expect(
      decode(
        ">NEED-OK:Need 'token-insertion-request' confirmation MSG:Please insert your cryptographic token",
      ),
    ).toEqual({
      event: 'needOk',
      data: {
        name: 'token-insertion-request',
        message: 'Please insert your cryptographic token',
        raw: "Need 'token-insertion-request' confirmation MSG:Please insert your cryptographic token",
      },
    });
    expect(decode(">NEED-STR:Need 'name' input MSG:Please specify your name")).toMatchObject({
      event: 'needStr',
      data: { name: 'name', message: 'Please specify your name' },
    });
  });

  test('>REMOTE and >PROXY', () => {
    expect(decode('>REMOTE:localhost,10,udp')).toEqual({
      event: 'remote',
      data: { host: 'localhost', port: 10, protocol: 'udp', raw: 'localhost,10,udp' },
    });
    expect(decode('>PROXY:1,TCP,127.0.0.1')).toEqual({
      event: 'proxy',
      data: { index: 1, protocol: 'TCP', host: '127.0.0.1', raw: '1,TCP,127.0.0.1' },
    });
  });

  test('sources without a type pass through only as generic notifications', () => {
    for (const line of [
      '>PK_SIGN:dGVzdA==,RSA_PKCS1_PADDING',
      '>NOTIFY:info,server-pushed-connection-reset,',
      '>INFOMSG:OPEN_URL:https://example.com/auth',
      '>NEED-CERTIFICATE:macosx-keychain:subject:o=OpenVPN-TEST',
    ]) {
      expect(decode(line)).toBeUndefined();
    }
    expect(splitNotification('>PK_SIGN:dGVzdA==,RSA_PKCS1_PADDING')).toEqual({
      source: 'PK_SIGN',
      payload: 'dGVzdA==,RSA_PKCS1_PADDING',
      line: '>PK_SIGN:dGVzdA==,RSA_PKCS1_PADDING',
    });
  });
});

describe('parsePasswordPayload', () => {
  test('need, with what to send', () => {
    expect(parsePasswordPayload("Need 'Private Key' password")).toEqual({
      kind: 'need',
      type: 'Private Key',
      needs: 'password',
      staticChallenge: undefined,
      raw: "Need 'Private Key' password",
    });
    expect(parsePasswordPayload("Need 'HTTP Proxy' username/password")).toMatchObject({
      kind: 'need',
      type: 'HTTP Proxy',
      needs: 'username/password',
    });
  });

  test('static challenge', () => {
    expect(
      parsePasswordPayload("Need 'Auth' username/password SC:1,Please enter token PIN"),
    ).toMatchObject({
      kind: 'need',
      type: 'Auth',
      staticChallenge: { echo: true, flags: 1, text: 'Please enter token PIN' },
    });
    expect(parsePasswordPayload("Need 'Auth' username/password SC:0,PIN, please")).toMatchObject({
      staticChallenge: { echo: false, text: 'PIN, please' },
    });
  });

  test('verification failed, with and without a server reason', () => {
    expect(parsePasswordPayload("Verification Failed: 'Private Key'")).toEqual({
      kind: 'verification-failed',
      type: 'Private Key',
      reason: undefined,
      dynamicChallenge: undefined,
      raw: "Verification Failed: 'Private Key'",
    });
    expect(parsePasswordPayload("Verification Failed: 'Auth' ['go away']")).toMatchObject({
      type: 'Auth',
      reason: 'go away',
      dynamicChallenge: undefined,
    });
  });

  test('dynamic challenge (CRV1), username decoded from base64', () => {
    expect(
      parsePasswordPayload(
        "Verification Failed: 'Auth' ['CRV1:R,E:Om01u7Fh4LrGBS7uh0SWmzwabUiGiW6l:Y3Ix:Please enter token PIN']",
      ),
    ).toMatchObject({
      kind: 'verification-failed',
      dynamicChallenge: {
        flags: ['R', 'E'],
        responseRequired: true,
        echo: true,
        stateId: 'Om01u7Fh4LrGBS7uh0SWmzwabUiGiW6l',
        username: 'cr1',
        text: 'Please enter token PIN',
      },
    });
  });

  test('auth token and anything else', () => {
    expect(parsePasswordPayload('Auth-Token:foobar')).toEqual({
      kind: 'auth-token',
      token: 'foobar',
      raw: 'Auth-Token:foobar',
    });
    expect(parsePasswordPayload('Something new')).toEqual({ kind: 'other', raw: 'Something new' });
  });
});

describe('ClientNotificationAssembler', () => {
  test('gathers ENV lines up to ENV,END; values may contain "="', () => {
    const a = new ClientNotificationAssembler();
    expect(a.push('CONNECT,0,1')).toEqual([]);
    expect(a.push('ENV,username=alice')).toEqual([]);
    expect(a.push('ENV,password=a=b')).toEqual([]);
    expect(a.push('ENV,END')).toEqual([
      {
        kind: 'CONNECT',
        clientId: 0,
        keyId: 1,
        address: undefined,
        primary: undefined,
        response: undefined,
        env: { username: 'alice', password: 'a=b' },
        complete: true,
      },
    ]);
  });

  test('ADDRESS stands alone; DISCONNECT may carry no ENV at all', () => {
    const a = new ClientNotificationAssembler();
    expect(a.push('ADDRESS,1,fd99::1000,1')).toEqual([
      expect.objectContaining({
        kind: 'ADDRESS',
        clientId: 1,
        address: 'fd99::1000',
        primary: true,
        env: {},
      }),
    ]);
    expect(a.push('DISCONNECT,0')).toEqual([]);
    expect(a.push('ENV,END')).toEqual([
      expect.objectContaining({ kind: 'DISCONNECT', clientId: 0, env: {} }),
    ]);
  });

  test('CR_RESPONSE carries the key id and response', () => {
    const a = new ClientNotificationAssembler();
    a.push('CR_RESPONSE,3,2,SGFsbG8=');
    expect(a.push('ENV,END')).toEqual([
      expect.objectContaining({ kind: 'CR_RESPONSE', clientId: 3, keyId: 2, response: 'SGFsbG8=' }),
    ]);
  });

  test('a block cut short is handed over as incomplete', () => {
    const a = new ClientNotificationAssembler();
    a.push('ESTABLISHED,4');
    a.push('ENV,common_name=client');
    expect(a.push('CONNECT,5,0')).toEqual([
      expect.objectContaining({
        kind: 'ESTABLISHED',
        clientId: 4,
        complete: false,
        env: { common_name: 'client' },
      }),
    ]);
    expect(a.flush()).toEqual(
      expect.objectContaining({ kind: 'CONNECT', clientId: 5, complete: false }),
    );
    expect(a.flush()).toBeUndefined();
    expect(a.push('ENV,stray=1')).toEqual([]);
  });
});
