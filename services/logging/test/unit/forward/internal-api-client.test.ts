import { ForwardError } from '../../../src/forward/forward-error';
import { LogsApiClient } from '../../../src/forward/internal-api-client';

type Call = { url: string; init: RequestInit };

function client(answer: (call: Call) => Promise<Response> | Response, token?: string) {
  const calls: Call[] = [];
  const c = new LogsApiClient({
    baseUrl: new URL('http://connector.test:8080'),
    timeoutMs: 1_000,
    ...(token ? { token } : {}),
    fetch: (async (url: URL, init: RequestInit) => {
      const call = { url: String(url), init };
      calls.push(call);
      return answer(call);
    }) as unknown as typeof fetch,
  });
  return { c, calls };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

async function failure(p: Promise<unknown>): Promise<ForwardError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ForwardError)) throw new Error(`expected a ForwardError, got ${err}`);
  return err;
}

describe('LogsApiClient', () => {
  it('POSTs the batch as JSON to /internal/v1/logs with the bearer token', async () => {
    const { c, calls } = client(() => json(202, { accepted: 1 }), 'tok-1');
    await c.logs({ entries: [{ level: 'warn', msg: 'x' }] });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe('http://connector.test:8080/internal/v1/logs');
    expect(calls[0]?.init.method).toBe('POST');
    expect(calls[0]?.init.headers).toMatchObject({
      'content-type': 'application/json',
      authorization: 'Bearer tok-1',
    });
    expect(JSON.parse(String(calls[0]?.init.body))).toEqual({
      entries: [{ level: 'warn', msg: 'x' }],
    });
  });

  it('sends no authorization header without a token', async () => {
    const { c, calls } = client(() => json(202, { accepted: 0 }));
    await c.logs({ entries: [] });
    expect(calls[0]?.init.headers).not.toHaveProperty('authorization');
  });

  it.each([
    [502, 'sse_unavailable', true],
    [503, 'not_enrolled', true],
    [429, 'too_many', true],
    [408, 'timeout', true],
    [400, 'invalid_request', false],
    [401, 'unauthorized', false],
    [413, 'too_large', false],
  ])('an answer %i %s is retryable: %s', async (status, code, retryable) => {
    const { c } = client(() => json(status, { error: { code, message: 'why' } }));
    const err = await failure(c.logs({ entries: [] }));
    expect(err).toMatchObject({ code, retryable, status });
    expect(err.message).toBe(`the connector answered ${status} ${code}: why`);
  });

  it('takes an acceptance only in its contract, and then does not send it again', async () => {
    for (const body of [{}, { accepted: 'all' }]) {
      const { c } = client(() => json(202, body));
      expect(await failure(c.logs({ entries: [] }))).toMatchObject({
        code: 'bad_answer',
        retryable: false,
        status: 202,
      });
    }
  });

  it('reads an error answer only in its contract', async () => {
    const { c } = client(() => json(502, { error: { code: 'sse_unavailable' } }));
    expect(await failure(c.logs({ entries: [] }))).toMatchObject({
      code: 'http_502',
      retryable: true,
    });
  });

  it('names the status when the answer carries no error code', async () => {
    const { c } = client(() => new Response('busy', { status: 500 }));
    expect(await failure(c.logs({ entries: [] }))).toMatchObject({
      code: 'http_500',
      retryable: true,
    });
  });

  it('an unreachable connector and a timeout are retryable', async () => {
    const refused = client(() => {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    });
    const e1 = await failure(refused.c.logs({ entries: [] }));
    expect(e1).toMatchObject({ code: 'connector_unreachable', retryable: true });
    expect(e1.message).toBe(
      'cannot reach the connector at http://connector.test:8080: ECONNREFUSED',
    );
    const slow = client(() => {
      throw new DOMException('timed out', 'TimeoutError');
    });
    expect(await failure(slow.c.logs({ entries: [] }))).toMatchObject({
      code: 'forward_timeout',
      retryable: true,
    });
  });
});
