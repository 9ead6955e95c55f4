import {
  readAccepted,
  readCatalogResponse,
  readRegisterResponse,
  readTokenResponse,
  SseProtocolError,
} from '../../src/client';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const gateway = { id: 'gw1', name: 'gw1', host: '::1', port: 1194, protocol: 'udp' };
const register = {
  connectorId: 'con_1',
  groupId: 'grp_1',
  region: 'local',
  certificate: CERT,
  certificateExpiresAt: '2030-01-01T00:00:00.000Z',
  caChain: [CERT],
  gateways: [gateway],
};

function refusal(read: () => unknown): SseProtocolError {
  try {
    read();
  } catch (err) {
    expect(err).toBeInstanceOf(SseProtocolError);
    expect(err).toMatchObject({ code: 'bad_response', retryable: false });
    return err as SseProtocolError;
  }
  throw new Error('expected an SseProtocolError');
}

describe('reading answers against their contract', () => {
  it.each([
    [{ gateways: [{ ...gateway, port: 70000 }] }, 'field gateways[0].port is not a port 1-65535'],
    [
      { gateways: [{ ...gateway, protocol: 'sctp' }] },
      'field gateways[0].protocol is not udp or tcp',
    ],
    [{ gateways: [{ ...gateway, serverName: '' }] }, 'gateways[0].serverName is not a non-empty'],
    [{ caChain: [] }, 'field caChain is not a non-empty list'],
    [{ caChain: [CERT, 'junk'] }, 'field caChain[1] is not a PEM certificate'],
    [{ certificateExpiresAt: 'soon' }, 'field certificateExpiresAt is not a date'],
    [{ tunnel: { cipher: 'AES-256-GCM' } }, 'is missing tunnel.tlsCryptKey'],
  ])('a register answer with %j is refused naming the field', (change, why) => {
    const e = refusal(() => readRegisterResponse({ ...register, ...change }, 'https://sse.test'));
    expect(e.message).toContain(why);
    expect(e).toMatchObject({ endpoint: 'register', url: 'https://sse.test' });
  });

  it('hands on exactly the contract: fields it does not know are dropped', () => {
    const read = readRegisterResponse({
      ...register,
      gateways: [{ ...gateway, weight: 3 }],
      extra: { anything: true },
    });
    expect(read).toStrictEqual(register);
  });

  it('a token must be a Bearer token with a positive lifetime', () => {
    const token = {
      accessToken: 't',
      tokenType: 'Bearer',
      expiresIn: 60,
      expiresAt: '2030-01-01T00:00:00Z',
    };
    expect(readTokenResponse(token, 'refresh')).toEqual(token);
    expect(
      refusal(() => readTokenResponse({ ...token, expiresIn: 0 }, 'refresh')).message,
    ).toContain('field expiresIn is not a positive number');
    expect(
      refusal(() => readTokenResponse({ ...token, accessToken: '' }, 'token')).message,
    ).toContain('field accessToken is not a non-empty string');
  });

  it('a catalog version may be a number; apps are left for the connector to check one by one', () => {
    expect(readCatalogResponse({ version: 7, apps: [1, { id: 'x' }] })).toEqual({
      version: '7',
      apps: [1, { id: 'x' }],
    });
    expect(refusal(() => readCatalogResponse({ version: '1', apps: {} })).message).toContain(
      'field apps is not a list',
    );
  });

  it('an ingest answer says how many it took', () => {
    expect(readAccepted({ accepted: 2 }, 'logs')).toEqual({ accepted: 2 });
    expect(refusal(() => readAccepted({ ok: true }, 'logs')).message).toBe(
      'SSE logs response is missing accepted',
    );
  });
});
