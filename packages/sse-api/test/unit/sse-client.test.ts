import { MockAgent } from 'undici';
import {
  type AttemptEvent,
  type ClientTls,
  type DispatcherKind,
  SseApiError,
  SseClient,
  type SseClientOptions,
  SseProtocolError,
} from '../../src/client';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const A = 'https://sse-a.test';
const B = 'https://sse-b.test';

const registerBody = {
  connectorId: 'con_1',
  groupId: 'grp_1',
  region: 'local',
  certificate: CERT,
  certificateExpiresAt: '2030-01-01T00:00:00.000Z',
  caChain: [CERT],
  gateways: [{ id: 'gw1', name: 'gw1', host: '::1', port: 1194, protocol: 'udp' }],
};
const registerReq = { provisioningKey: 'eyJrZXlJZCI6IngifQ', csr: 'csr', hostname: 'vm1' };

function setup(extra: Partial<SseClientOptions> = {}) {
  const mock = new MockAgent();
  mock.disableNetConnect();
  const built: Array<{ kind: DispatcherKind; tls: ClientTls }> = [];
  const events: AttemptEvent[] = [];
  const client = new SseClient({
    baseUrls: [A, B],
    timeoutMs: 200,
    observer: (e) => events.push(e),
    createDispatcher: (kind, tls) => {
      built.push({ kind, tls });
      return mock;
    },
    ...extra,
  });
  return { mock, client, built, events };
}

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

describe('SseClient', () => {
  it('registers and validates the answer', async () => {
    const { mock, client } = setup();
    mock
      .get(A)
      .intercept({ path: '/v1/connectors/register', method: 'POST' })
      .reply(201, registerBody);
    await expect(client.register(registerReq)).resolves.toEqual(registerBody);
  });

  it('keeps the optional gateway fields and tunnel settings of a region with real gateways', async () => {
    const { mock, client } = setup();
    const gw = {
      ...registerBody.gateways[0],
      serverName: 'gw1.region',
      tunnelAddress: '10.231.1.7',
      controlUrl: 'http://10.231.1.1:8900',
    };
    const tunnel = {
      tlsCryptKey: '-----BEGIN OpenVPN Static key V1-----\nabc\n',
      cipher: 'AES-256-GCM',
    };
    mock
      .get(A)
      .intercept({ path: '/v1/connectors/register', method: 'POST' })
      .reply(201, { ...registerBody, gateways: [gw], tunnel });
    await expect(client.register(registerReq)).resolves.toEqual({
      ...registerBody,
      gateways: [gw],
      tunnel,
    });
  });

  it.each(['certificate', 'caChain'])(
    'a register answer without %s is a permanent protocol error',
    async (field) => {
      const { mock, client } = setup();
      const body: Record<string, unknown> = { ...registerBody };
      delete body[field];
      mock.get(A).intercept({ path: '/v1/connectors/register', method: 'POST' }).reply(201, body);
      const err = await failure(client.register(registerReq));
      expect(err).toBeInstanceOf(SseProtocolError);
      expect(err).toMatchObject({ retryable: false, code: 'bad_response', endpoint: 'register' });
      expect(err.message).toContain(field);
    },
  );

  it('a body that is not JSON is a protocol error, not a failover', async () => {
    const { mock, client, events } = setup();
    mock.get(A).intercept({ path: '/v1/auth/token', method: 'POST' }).reply(200, '{nope');
    const err = await failure(client.token());
    expect(err).toBeInstanceOf(SseProtocolError);
    expect(events).toHaveLength(1);
  });

  it.each([
    [400, 'invalid_csr', false],
    [401, 'provisioning_key_invalid', false],
    [403, 'provisioning_key_exhausted', false],
    [404, 'not_found', false],
    [429, 'rate_limited', true],
  ])('HTTP %i %s -> SseApiError retryable=%s, no failover', async (status, code, retryable) => {
    const { mock, client, events } = setup();
    mock
      .get(A)
      .intercept({ path: '/v1/connectors/register', method: 'POST' })
      .reply(status, { error: { code, message: `said ${code}` } });
    const err = await failure(client.register(registerReq));
    expect(err).toBeInstanceOf(SseApiError);
    expect(err).toMatchObject({ status, code, retryable });
    expect(err.message).toContain(`said ${code}`);
    expect(events.map((e) => e.url)).toEqual([`${A}/`]);
  });

  it('fails over on 5xx and remembers the URL that worked', async () => {
    const { mock, client, events } = setup();
    mock
      .get(A)
      .intercept({ path: '/v1/auth/token', method: 'POST' })
      .reply(503, { error: { code: 'injected_fault', message: 'x' } });
    const token = {
      accessToken: 'tok-123456',
      tokenType: 'Bearer',
      expiresIn: 60,
      expiresAt: '2030-01-01T00:00:00Z',
    };
    mock.get(B).intercept({ path: '/v1/auth/token', method: 'POST' }).reply(200, token).times(2);
    await expect(client.token()).resolves.toMatchObject({ accessToken: 'tok-123456' });
    expect(client.activeUrl('tokens')).toBe(`${B}/`);
    await client.token();
    expect(events.map((e) => [e.url, e.outcome, e.failingOver])).toEqual([
      [`${A}/`, 'http_error', true],
      [`${B}/`, 'ok', false],
      [`${B}/`, 'ok', false],
    ]);
  });

  it('fails over on network errors; when every URL fails the last error is retryable', async () => {
    const { mock, client } = setup();
    mock
      .get(A)
      .intercept({ path: '/v1/catalog', method: 'GET' })
      .replyWithError(new Error('connect ECONNREFUSED'));
    mock.get(B).intercept({ path: '/v1/catalog', method: 'GET' }).reply(502, 'bad gateway');
    const err = await failure(client.catalog('tok'));
    expect(err).toBeInstanceOf(SseApiError);
    expect(err).toMatchObject({ status: 502, code: 'http_error', retryable: true });
  });

  it('when every URL fails, reports the server answer rather than a later connection error', async () => {
    const { mock, client } = setup();
    mock
      .get(A)
      .intercept({ path: '/v1/pop/status', method: 'POST' })
      .reply(500, { error: { code: 'injected_fault', message: 'boom' } });
    mock
      .get(B)
      .intercept({ path: '/v1/pop/status', method: 'POST' })
      .replyWithError(new Error('connect ECONNREFUSED'));
    const err = await failure(client.popStatus({ hostname: 'h', reportedAt: 'x' }, 't'));
    expect(err).toMatchObject({ status: 500, code: 'injected_fault', retryable: true });
  });

  it('times out a silent server and tries the next one', async () => {
    const { mock, client, events } = setup({ timeoutMs: 100 });
    mock.get(A).intercept({ path: '/v1/release', method: 'GET' }).reply(200, {}).delay(1_000);
    mock
      .get(B)
      .intercept({ path: '/v1/release', method: 'GET' })
      .replyWithError(new Error('reset'));
    const err = await failure(client.release('tok'));
    expect(events[0]).toMatchObject({ outcome: 'timeout', failingOver: true });
    expect(err).toMatchObject({ code: 'timeout', retryable: true });
  });

  it('sends the bearer token and If-None-Match; 304 means not modified', async () => {
    const { mock, client } = setup();
    mock
      .get(A)
      .intercept({
        path: '/v1/catalog',
        method: 'GET',
        headers: { authorization: 'Bearer tok-1', 'if-none-match': '"3"' },
      })
      .reply(304, '');
    await expect(client.catalog('tok-1', { etag: '"3"' })).resolves.toEqual({
      status: 'not-modified',
      etag: '"3"',
    });
    mock
      .get(A)
      .intercept({ path: '/v1/catalog', method: 'GET' })
      .reply(200, { version: '4', apps: [{ id: 'x' }] }, { headers: { etag: '"4"' } });
    await expect(client.catalog('tok-1', { etag: '"3"' })).resolves.toEqual({
      status: 'ok',
      etag: '"4"',
      catalog: { version: '4', apps: [{ id: 'x' }] },
    });
  });

  it('keeps a path prefix of the base URL', async () => {
    const { mock, client } = setup({ baseUrls: ['https://sse-a.test/api/'] });
    mock.get(A).intercept({ path: '/api/v1/logs', method: 'POST' }).reply(202, { accepted: 2 });
    await expect(client.logs({ entries: [{}, {}] }, 't')).resolves.toEqual({ accepted: 2 });
  });

  it('builds new dispatchers with the new certificate when the identity changes', async () => {
    const { client, built } = setup({
      ca: 'CA',
      proxy: 'http://u:pw-123456@proxy.test:3128',
      noProxy: 'sse-b.test',
    });
    expect(built.map((b) => [b.kind, b.tls.cert])).toEqual([
      ['direct', undefined],
      ['proxy', undefined],
    ]);
    client.setIdentity({ certPem: 'CERT2', keyPem: 'KEY2' });
    expect(built.slice(2).map((b) => [b.kind, b.tls])).toEqual([
      ['direct', { ca: 'CA', cert: 'CERT2', key: 'KEY2' }],
      ['proxy', { ca: 'CA', cert: 'CERT2', key: 'KEY2' }],
    ]);
    expect(client.usesProxy(A)).toBe(true);
    expect(client.usesProxy(B)).toBe(false);
  });

  it('sends each route to the URLs of its purpose', async () => {
    const R = 'https://wgcs.test:8080';
    const T = 'https://iam.test';
    const C = 'https://catalog.test';
    const S = 'https://status.test';
    const { mock, client, events } = setup({
      baseUrls: undefined,
      endpoints: { registration: [R], tokens: [T], catalog: [C], collector: [S] },
    });
    const token = {
      accessToken: 'tok-123456',
      tokenType: 'Bearer',
      expiresIn: 60,
      expiresAt: '2030-01-01T00:00:00Z',
    };
    mock
      .get(R)
      .intercept({ path: '/v1/connectors/register', method: 'POST' })
      .reply(201, registerBody);
    mock.get(T).intercept({ path: '/v1/auth/token', method: 'POST' }).reply(200, token);
    mock.get(C).intercept({ path: '/v1/catalog', method: 'GET' }).reply(304, '');
    mock.get(S).intercept({ path: '/v1/logs', method: 'POST' }).reply(202, { accepted: 1 });
    await client.register(registerReq);
    await client.token();
    await client.catalog('t', { etag: '"1"' });
    await client.logs({ entries: [{}] }, 't');
    expect(events.map((e) => [e.endpoint, e.url])).toEqual([
      ['register', `${R}/`],
      ['token', `${T}/`],
      ['catalog', `${C}/`],
      ['logs', `${S}/`],
    ]);
    expect(client.urlsOf('tokens')).toEqual([`${T}/`]);
    expect(client.baseUrls).toEqual([`${R}/`, `${T}/`, `${C}/`, `${S}/`]);
  });

  it('refuses a purpose with no URL, naming it', () => {
    expect(() => setup({ baseUrls: undefined, endpoints: { registration: [A] } })).toThrow(
      /at least one SSE URL is needed for tokens/,
    );
  });

  it('spreads collector calls over every collector and moves a failed batch to the next', async () => {
    const S1 = 'https://status-1.test';
    const S2 = 'https://status-2.test';
    const changes: unknown[] = [];
    const { mock, client, events } = setup({
      endpoints: { collector: [S1, S2] },
      setAsideMs: () => 60_000,
      onUrlState: (e) => changes.push([e.purpose, e.url, e.up]),
    });
    const accepted = { accepted: 1 };
    mock.get(S1).intercept({ path: '/v1/logs', method: 'POST' }).reply(202, accepted);
    mock.get(S2).intercept({ path: '/v1/logs', method: 'POST' }).reply(202, accepted);
    mock.get(S1).intercept({ path: '/v1/logs', method: 'POST' }).reply(503, 'down');
    mock.get(S2).intercept({ path: '/v1/logs', method: 'POST' }).reply(202, accepted).times(3);
    for (let i = 0; i < 5; i++) await client.logs({ entries: [{}] }, 't');
    expect(events.map((e) => [e.url, e.status])).toEqual([
      [`${S1}/`, 202],
      [`${S2}/`, 202],
      [`${S1}/`, 503],
      [`${S2}/`, 202],
      [`${S2}/`, 202],
      [`${S2}/`, 202],
    ]);
    expect(changes).toEqual([['collector', `${S1}/`, false]]);
    expect(client.spreadsCollectors).toBe(true);
    expect(setup().client.spreadsCollectors).toBe(false);
  });

  it('with one URL list for every purpose, tries first the URL that last answered, whatever the purpose', async () => {
    const { mock, client, events } = setup();
    mock.get(A).intercept({ path: '/v1/connectors/register', method: 'POST' }).reply(503, 'down');
    mock
      .get(B)
      .intercept({ path: '/v1/connectors/register', method: 'POST' })
      .reply(201, registerBody);
    mock.get(B).intercept({ path: '/v1/pop/status', method: 'POST' }).reply(202, { accepted: 1 });
    await client.register(registerReq);
    await client.popStatus({ hostname: 'h', reportedAt: 'x' }, 't');
    expect(events.map((e) => [e.endpoint, e.url])).toEqual([
      ['register', `${A}/`],
      ['register', `${B}/`],
      ['popStatus', `${B}/`],
    ]);
  });
});
