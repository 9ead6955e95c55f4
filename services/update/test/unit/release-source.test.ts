import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SseProtocolError } from '@pa-connector/sse-api';
import { ReleaseSource } from '../../src/release/release-source';
import { UpdateError } from '../../src/update-error';

const DIGEST = `sha256:${'0f'.repeat(32)}`;
const MANIFEST = {
  version: '1.0.1.0',
  publishedAt: '2030-01-01T00:00:00.000Z',
  minAutoUpgradeVersion: '1.0.0.0',
  images: {
    logging: { image: 'registry:5000/pa/logging:1.0.1.0', digest: DIGEST },
    update: { image: 'registry:5000/pa/update:1.0.1.0', digest: DIGEST },
  },
};

type Answer = { status: number; body: string; delayMs?: number };

/** The connector's internal API on loopback: answers what the test says, records requests. */
async function connector(answer: Answer) {
  const seen: Array<{ method?: string; url?: string; auth?: string }> = [];
  const timers = new Set<NodeJS.Timeout>();
  const s = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push({ method: req.method, url: req.url, auth: req.headers.authorization });
    const t = setTimeout(() => {
      timers.delete(t);
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body);
    }, answer.delayMs ?? 0);
    timers.add(t);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const baseUrl = new URL(`http://127.0.0.1:${(s.address() as AddressInfo).port}`);
  const close = () =>
    new Promise<void>((r) => {
      for (const t of timers) clearTimeout(t);
      s.close(() => r());
      s.closeAllConnections();
    });
  return { baseUrl, seen, close };
}

async function updateError(p: Promise<unknown>): Promise<UpdateError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(UpdateError);
    return err as UpdateError;
  }
  throw new Error('expected an UpdateError');
}

describe('ReleaseSource', () => {
  const servers: Array<{ close: () => Promise<void> }> = [];
  const start = async (answer: Answer) => {
    const c = await connector(answer);
    servers.push(c);
    return c;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('GETs /internal/v1/release with the bearer token and gives the manifest', async () => {
    const c = await start({ status: 200, body: JSON.stringify(MANIFEST) });
    const source = new ReleaseSource({ baseUrl: c.baseUrl, token: 'tok-rel-1', timeoutMs: 2_000 });
    await expect(source.fetch()).resolves.toEqual(MANIFEST);
    expect(c.seen).toEqual([
      { method: 'GET', url: '/internal/v1/release', auth: 'Bearer tok-rel-1' },
    ]);
    await new ReleaseSource({ baseUrl: c.baseUrl, timeoutMs: 2_000 }).fetch();
    expect(c.seen[1]?.auth).toBeUndefined();
  });

  it('leaves out services this POP does not know', async () => {
    const body = {
      ...MANIFEST,
      images: { ...MANIFEST.images, 'metrics-agent': { image: 'x', digest: 'y' } },
    };
    const c = await start({ status: 200, body: JSON.stringify(body) });
    const m = await new ReleaseSource({ baseUrl: c.baseUrl, timeoutMs: 2_000 }).fetch();
    expect(Object.keys(m?.images ?? {}).sort()).toEqual(['logging', 'update']);
  });

  it('gives undefined when no release is published (404)', async () => {
    const c = await start({
      status: 404,
      body: '{"error":{"code":"not_found","message":"no release published"}}',
    });
    await expect(
      new ReleaseSource({ baseUrl: c.baseUrl, timeoutMs: 2_000 }).fetch(),
    ).resolves.toBeUndefined();
    expect(c.seen).toHaveLength(1);
  });

  it('a 404 that is not the SSE saying "nothing published" (a connector without the route) is an error', async () => {
    // What fastify answers for a route it does not have.
    const c = await start({
      status: 404,
      body: '{"message":"Route GET:/internal/v1/release not found","error":"Not Found","statusCode":404}',
    });
    const err = await updateError(
      new ReleaseSource({ baseUrl: c.baseUrl, timeoutMs: 2_000 }).fetch(),
    );
    expect(err.code).toBe('no_release_route');
    expect(err.message).toMatch(/^release manifest: the connector has no \/internal\/v1\/release/);
  });

  it.each([
    [503, '{"error":{"code":"not_enrolled","message":"not enrolled yet"}}', 'not_enrolled', true],
    [502, '', 'http_502', true],
    [401, '{"error":{"code":"unauthorized","message":"bad token"}}', 'unauthorized', false],
  ])('answer %i %j -> UpdateError %s, retryable %s', async (status, body, code, retryable) => {
    const c = await start({ status, body });
    const e = await updateError(
      new ReleaseSource({ baseUrl: c.baseUrl, token: 'tok-secret-9', timeoutMs: 2_000 }).fetch(),
    );
    expect([e.code, e.retryable]).toEqual([code, retryable]);
    expect(e.message).toMatch(new RegExp(`^release manifest: the connector answered ${status}`));
    expect(e.message).not.toContain('tok-secret-9');
  });

  it('refuses a 200 whose body is not JSON', async () => {
    const c = await start({ status: 200, body: '<html>proxy login</html>' });
    const e = await updateError(
      new ReleaseSource({ baseUrl: c.baseUrl, timeoutMs: 2_000 }).fetch(),
    );
    expect([e.code, e.retryable]).toEqual(['bad_answer', true]);
    expect(e.message).toContain('not JSON');
  });

  it.each([
    [
      'a bad digest',
      { logging: { image: 'registry:5000/pa/logging:1', digest: 'sha256:abc' } },
      'images.logging.digest',
    ],
    ['a missing image', { update: { digest: DIGEST } }, 'images.update.image'],
    ['images not an object', ['logging'], 'images is not an object'],
  ])('refuses a manifest with %s as bad_manifest', async (_, images, field) => {
    const c = await start({ status: 200, body: JSON.stringify({ ...MANIFEST, images }) });
    const e = await updateError(
      new ReleaseSource({ baseUrl: c.baseUrl, timeoutMs: 2_000 }).fetch(),
    );
    expect(e.code).toBe('bad_manifest');
    expect(e.message).toContain(field);
    expect(e.cause).toBeInstanceOf(SseProtocolError);
  });

  it('gives up after timeoutMs when the connector is slow', async () => {
    const c = await start({ status: 200, body: JSON.stringify(MANIFEST), delayMs: 5_000 });
    const began = Date.now();
    const e = await updateError(new ReleaseSource({ baseUrl: c.baseUrl, timeoutMs: 200 }).fetch());
    expect(Date.now() - began).toBeLessThan(3_000);
    expect([e.code, e.retryable]).toEqual(['manifest_timeout', true]);
    expect(e.message).toContain('200ms');
  });

  it('says the connector is unreachable when nothing listens', async () => {
    const c = await connector({ status: 200, body: '{}' });
    await c.close();
    const e = await updateError(
      new ReleaseSource({ baseUrl: c.baseUrl, timeoutMs: 2_000 }).fetch(),
    );
    expect([e.code, e.retryable]).toEqual(['connector_unreachable', true]);
    expect(e.message).toContain(`cannot reach the connector at ${c.baseUrl.origin}`);
    expect(e.message).toContain('ECONNREFUSED');
  });
});
