import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callInternalApi } from '../../../src/client/internal-api-call';

/** Servers of the running test, closed after it. */
const servers: Server[] = [];

/** A loopback server answering every request with `answer` (closed after the test); its URL. */
async function serve(
  answer: (method: string, body: string, auth: string | undefined) => [number, string] | 'hang',
): Promise<{ url: URL; server: Server }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      const a = answer(req.method ?? '', body, req.headers.authorization);
      if (a === 'hang') return;
      res.writeHead(a[0], { 'content-type': 'application/json' }).end(a[1]);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  const { port } = server.address() as AddressInfo;
  return { url: new URL(`http://127.0.0.1:${port}`), server };
}

/** `GET /x` of `url` with no token; `code` is what a timeout is reported as. */
const getX = (url: URL, timeoutMs: number, code = 't') =>
  callInternalApi({ baseUrl: url, timeoutMs }, 'GET', '/x', undefined, code);

describe('callInternalApi over node:http (the default transport)', () => {
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it('sends the method, JSON body and bearer token, and gives the 2xx answer', async () => {
    const seen: unknown[] = [];
    const { url } = await serve((method, body, auth) => {
      seen.push({ method, body, auth });
      return [202, '{"accepted":1}'];
    });
    const r = await callInternalApi(
      { baseUrl: url, token: 't0k', timeoutMs: 2_000 },
      'POST',
      '/internal/v1/logs',
      { a: 1 },
      'timeout',
    );
    expect(r).toEqual({ status: 202, text: '{"accepted":1}' });
    expect(seen).toEqual([{ method: 'POST', body: '{"a":1}', auth: 'Bearer t0k' }]);
  });

  it("gives the connector's error code of a non-2xx answer", async () => {
    const { url } = await serve(() => [
      503,
      '{"error":{"code":"not_enrolled","message":"not yet"}}',
    ]);
    const r = await getX(url, 2_000);
    expect(r).toMatchObject({ code: 'not_enrolled', retryable: true, status: 503 });
  });

  it('a connector that does not answer in time is the timeout code', async () => {
    const { url } = await serve(() => 'hang');
    const r = await getX(url, 100, 'slow');
    expect(r).toMatchObject({ code: 'slow', retryable: true });
  });

  it('a closed port is connector_unreachable, naming the socket error', async () => {
    const { url, server } = await serve(() => [200, '{}']);
    await new Promise((r) => server.close(r));
    const r = await getX(url, 2_000);
    expect(r).toMatchObject({ code: 'connector_unreachable', retryable: true });
    expect((r as { message: string }).message).toMatch(/: ECONNREFUSED$/);
  });
});
