import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callInternalApi } from '../../../src/client/internal-api-call';

/** A loopback server answering every request with `answer`; its URL and a stop. */
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
  const { port } = server.address() as AddressInfo;
  return { url: new URL(`http://127.0.0.1:${port}`), server };
}

describe('callInternalApi over node:http (the default transport)', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it('sends the method, JSON body and bearer token, and gives the 2xx answer', async () => {
    const seen: unknown[] = [];
    const { url, server } = await serve((method, body, auth) => {
      seen.push({ method, body, auth });
      return [202, '{"accepted":1}'];
    });
    servers.push(server);
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
    const { url, server } = await serve(() => [
      503,
      '{"error":{"code":"not_enrolled","message":"not yet"}}',
    ]);
    servers.push(server);
    const r = await callInternalApi(
      { baseUrl: url, timeoutMs: 2_000 },
      'GET',
      '/x',
      undefined,
      't',
    );
    expect(r).toMatchObject({ code: 'not_enrolled', retryable: true, status: 503 });
  });

  it('a connector that does not answer in time is the timeout code', async () => {
    const { url, server } = await serve(() => 'hang');
    servers.push(server);
    const r = await callInternalApi(
      { baseUrl: url, timeoutMs: 100 },
      'GET',
      '/x',
      undefined,
      'slow',
    );
    expect(r).toMatchObject({ code: 'slow', retryable: true });
  });

  it('a closed port is connector_unreachable, naming the socket error', async () => {
    const { url, server } = await serve(() => [200, '{}']);
    await new Promise((r) => server.close(r));
    const r = await callInternalApi(
      { baseUrl: url, timeoutMs: 2_000 },
      'GET',
      '/x',
      undefined,
      't',
    );
    expect(r).toMatchObject({ code: 'connector_unreachable', retryable: true });
    expect((r as { message: string }).message).toMatch(/: ECONNREFUSED$/);
  });
});
