import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GroupSlotApi } from '../../src/group/group-slot-api';
import { UpdateError } from '../../src/update-error';

type Answer = { status: number; body: unknown };

/** The connector's internal API on loopback: answers in order, records each request. */
async function connector(answers: Answer[]) {
  const seen: Array<{ method?: string; url?: string; auth?: string; body: string }> = [];
  const s = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
      const a = answers.shift() ?? { status: 500, body: { error: { code: 'x', message: 'y' } } };
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(typeof a.body === 'string' ? a.body : JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const api = new GroupSlotApi({
    baseUrl: new URL(`http://127.0.0.1:${(s.address() as AddressInfo).port}`),
    token: 'tok-slot-1',
    timeoutMs: 2_000,
  });
  const close = () =>
    new Promise<void>((r) => {
      s.close(() => r());
      s.closeAllConnections();
    });
  return { api, seen, close };
}

const GRANT = {
  connectorId: 'conn-a',
  leaseId: 'lease-7',
  expiresAt: '2026-11-23T03:15:00.000Z',
};
const HELD = "the group's update slot is held by conn-b until 2026-11-23T03:10:00.000Z";

describe('GroupSlotApi', () => {
  const servers: Array<{ close: () => Promise<void> }> = [];
  const start = async (answers: Answer[]) => {
    const c = await connector(answers);
    servers.push(c);
    return c;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('POSTs {ttlSeconds} to /internal/v1/update-slot with the bearer token and gives the grant', async () => {
    const c = await start([{ status: 200, body: GRANT }]);
    await expect(c.api.takeSlot(900)).resolves.toEqual({ kind: 'granted', grant: GRANT });
    expect(c.seen).toEqual([
      {
        method: 'POST',
        url: '/internal/v1/update-slot',
        auth: 'Bearer tok-slot-1',
        body: '{"ttlSeconds":900}',
      },
    ]);
  });

  it('409 update_slot_taken: taken, with the holder and expiry the message names', async () => {
    const c = await start([
      { status: 409, body: { error: { code: 'update_slot_taken', message: HELD } } },
    ]);
    await expect(c.api.takeSlot(900)).resolves.toEqual({
      kind: 'taken',
      message: `the connector answered 409 update_slot_taken: ${HELD}`,
      holder: 'conn-b',
      until: '2026-11-23T03:10:00.000Z',
    });
  });

  it.each([
    [503, { error: { code: 'not_enrolled', message: 'not enrolled yet' } }, 'not_enrolled'],
    [502, { error: { code: 'sse_unreachable', message: 'no answer' } }, 'sse_unreachable'],
    // Another 409 is not the slot being taken.
    [409, { error: { code: 'conflict', message: 'other' } }, 'conflict'],
    [200, { leaseId: 'lease-7' }, 'bad_answer'],
  ])('%i %j: failed with code %s', async (status, body, code) => {
    const c = await start([{ status, body }]);
    await expect(c.api.takeSlot(60)).resolves.toMatchObject({ kind: 'failed', code });
  });

  it('releases by leaseId and says whether the lease was current', async () => {
    const c = await start([
      { status: 200, body: { released: true } },
      { status: 200, body: { released: false } },
      { status: 502, body: { error: { code: 'sse_unreachable', message: 'no answer' } } },
    ]);
    await expect(c.api.releaseSlot('lease-7')).resolves.toBe(true);
    await expect(c.api.releaseSlot('lease-7')).resolves.toBe(false);
    const err = await c.api.releaseSlot('lease-7').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpdateError);
    expect(err).toMatchObject({ code: 'sse_unreachable', retryable: true });
    expect(c.seen[0]).toMatchObject({
      method: 'POST',
      url: '/internal/v1/update-slot/release',
      body: '{"leaseId":"lease-7"}',
    });
  });

  it('starts the drain with POST {}, follows it with GET, ends it with DELETE', async () => {
    const state = { draining: true, openConnections: 2, drained: false };
    const c = await start([
      { status: 202, body: { ...state, since: '2026-11-23T03:00:00.000Z' } },
      { status: 200, body: { ...state, openConnections: 0, drained: true } },
      { status: 200, body: { draining: true } },
      { status: 200, body: { draining: false, openConnections: 0, drained: false } },
    ]);
    await expect(c.api.startDrain()).resolves.toMatchObject({ openConnections: 2 });
    await expect(c.api.drainState()).resolves.toMatchObject({ drained: true });
    await expect(c.api.drainState()).rejects.toMatchObject({ code: 'bad_answer' });
    await expect(c.api.endDrain()).resolves.toMatchObject({ draining: false });
    expect(c.seen.map((s) => [s.method, s.url, s.body])).toEqual([
      ['POST', '/internal/v1/drain', '{}'],
      ['GET', '/internal/v1/drain', ''],
      ['GET', '/internal/v1/drain', ''],
      ['DELETE', '/internal/v1/drain', ''],
    ]);
  });
});
