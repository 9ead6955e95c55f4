import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InternalApiClient } from '../../../src/push/internal-api-client';
import { PushError } from '../../../src/push/push-error';

const status = { hostname: 'vm-1', reportedAt: '2030-01-01T00:00:00.000Z' };

/** A tiny HTTP server on loopback answering what the test says, recording requests. */
async function server(
  answer: (body: string) => { status: number; body: string; delayMs?: number },
) {
  const seen: Array<{ url: string; auth?: string; body: string }> = [];
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({
        url: req.url ?? '',
        ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
        body,
      });
      const a = answer(body);
      setTimeout(() => {
        res.writeHead(a.status, { 'content-type': 'application/json' });
        res.end(a.body);
      }, a.delayMs ?? 0);
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const url = new URL(`http://127.0.0.1:${(s.address() as AddressInfo).port}`);
  return { url, seen, close: () => new Promise<void>((r) => s.close(() => r())) };
}

async function failure(p: Promise<unknown>): Promise<PushError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(PushError);
    return err as PushError;
  }
  throw new Error('expected a PushError');
}

describe('InternalApiClient', () => {
  it('POSTs the status as JSON to /internal/v1/pop/status with the bearer token', async () => {
    const s = await server(() => ({ status: 202, body: '{"accepted":1}' }));
    try {
      const c = new InternalApiClient({ baseUrl: s.url, token: 'tok-1', timeoutMs: 2_000 });
      await c.popStatus(status);
      expect(s.seen).toEqual([
        { url: '/internal/v1/pop/status', auth: 'Bearer tok-1', body: JSON.stringify(status) },
      ]);
      await new InternalApiClient({ baseUrl: s.url, timeoutMs: 2_000 }).popStatus(status);
      expect(s.seen[1]?.auth).toBeUndefined();
    } finally {
      await s.close();
    }
  });

  it.each([
    [503, '{"error":{"code":"not_enrolled","message":"not enrolled yet"}}', 'not_enrolled', true],
    [502, '{"error":{"code":"sse_unavailable","message":"HTTP 500"}}', 'sse_unavailable', true],
    [500, 'oops', 'http_500', true],
    [429, '', 'http_429', true],
    [400, '{"error":{"code":"invalid_request","message":"bad"}}', 'invalid_request', false],
    [401, '{"error":{"code":"unauthorized","message":"token"}}', 'unauthorized', false],
  ])('answer %i -> code %s, retryable %s', async (st, body, code, retryable) => {
    const s = await server(() => ({ status: st, body }));
    try {
      const e = await failure(
        new InternalApiClient({ baseUrl: s.url, timeoutMs: 2_000 }).popStatus(status),
      );
      expect([e.code, e.retryable, e.status]).toEqual([code, retryable, st]);
      expect(e.message).toContain(`the connector answered ${st} ${code}`);
    } finally {
      await s.close();
    }
  });

  it('names an unreachable connector and a timeout, both retryable', async () => {
    const s = await server(() => ({ status: 202, body: '{}', delayMs: 1_000 }));
    const slow = await failure(
      new InternalApiClient({ baseUrl: s.url, timeoutMs: 100 }).popStatus(status),
    );
    expect([slow.code, slow.retryable]).toEqual(['push_timeout', true]);
    expect(slow.message).toBe('the connector did not answer within 100ms');
    await s.close();
    const gone = await failure(
      new InternalApiClient({ baseUrl: s.url, timeoutMs: 2_000 }).popStatus(status),
    );
    expect([gone.code, gone.retryable]).toEqual(['connector_unreachable', true]);
    expect(gone.message).toBe(`cannot reach the connector at ${s.url.origin}: ECONNREFUSED`);
  });
});
