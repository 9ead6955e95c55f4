import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, signCertificate } from '@pa-connector/pki';
import { SseApiError, SseClient, UPDATE_SLOT_TAKEN } from '@pa-connector/sse-api';
import { systemClock } from '../../../src/clock';
import { SseForwarder } from '../../../src/internal-api/forwarder';
import { captureLogger } from '../../support/capture-logger';
import { testCa } from '../../support/identity-fixture';

interface Seen {
  method: string | undefined;
  url: string | undefined;
  authorization: string | undefined;
  body: string;
}

/**
 * A small HTTPS SSE: answers each request with the next of `answers` (status, body) and records
 * what it was asked.
 */
async function fakeSse(answers: Array<[number, unknown]>) {
  const keys = generateKeyPair();
  const cert = signCertificate({
    ca: testCa(),
    publicKeyPem: keys.publicKeyPem,
    commonName: 'sse.test',
    lifetimeSeconds: 3600,
    usage: 'server',
    altNames: ['127.0.0.1'],
  });
  const seen: Seen[] = [];
  const server: Server = createServer(
    { key: keys.privateKeyPem, cert: cert.certPem },
    (req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        seen.push({
          method: req.method,
          url: req.url,
          authorization: req.headers.authorization,
          body,
        });
        const [status, answer] = answers.shift() ?? [
          500,
          { error: { code: 'x', message: 'none' } },
        ];
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise((r) => server.close(r)) };
}

function forwarder(url: string) {
  const client = new SseClient({ baseUrls: [url], ca: testCa().certPem, timeoutMs: 2_000 });
  // No wait between tries (backoff 0): the real clock's zero-delay timer.
  const f = new SseForwarder({
    client,
    tokens: { withToken: (fn) => fn('tok-1') },
    clock: systemClock,
    random: () => 0,
    attempts: 2,
    backoff: { initialMs: 0, maxMs: 0 },
    logger: captureLogger().logger,
  });
  return { f, client };
}

const group = {
  groupId: 'grp_1',
  name: 'east',
  connectors: [{ id: 'con_1', hostname: 'vm1', state: 'active', freshTunnels: 2 }],
  updateSlot: null,
};
const grant = { connectorId: 'con_1', leaseId: 'l1', expiresAt: '2030-01-01T00:10:00.000Z' };

describe('SseForwarder: the group and its update slot, over HTTPS with the token', () => {
  it('forwards the group, the slot and its release to their SSE routes with the bearer token', async () => {
    const sse = await fakeSse([
      [200, group],
      [200, grant],
      [200, { released: true }],
    ]);
    const { f, client } = forwarder(sse.url);
    try {
      await expect(f.group()).resolves.toEqual(group);
      await expect(f.updateSlot({ ttlSeconds: 600 })).resolves.toEqual(grant);
      await expect(f.updateSlotRelease({ leaseId: 'l1' })).resolves.toEqual({ released: true });
      expect(sse.seen).toEqual([
        { method: 'GET', url: '/v1/group', authorization: 'Bearer tok-1', body: '' },
        {
          method: 'POST',
          url: '/v1/group/update-slot',
          authorization: 'Bearer tok-1',
          body: '{"ttlSeconds":600}',
        },
        {
          method: 'POST',
          url: '/v1/group/update-slot/release',
          authorization: 'Bearer tok-1',
          body: '{"leaseId":"l1"}',
        },
      ]);
    } finally {
      await client.close();
      await sse.close();
    }
  });

  it('a slot held by another connector is a 409 update_slot_taken at once (not retried); a 5xx is retried', async () => {
    const message = 'the group update slot is held by con_2 until 2030-01-01T00:05:00.000Z';
    const sse = await fakeSse([
      [409, { error: { code: UPDATE_SLOT_TAKEN, message } }],
      [503, { error: { code: 'unavailable', message: 'busy' } }],
      [200, group],
    ]);
    const { f, client } = forwarder(sse.url);
    try {
      const err = await f.updateSlot({ ttlSeconds: 60 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SseApiError);
      expect(err).toMatchObject({ status: 409, code: UPDATE_SLOT_TAKEN });
      expect((err as Error).message).toContain(message);
      expect(sse.seen).toHaveLength(1);
      await expect(f.group()).resolves.toEqual(group);
      expect(sse.seen.map((s) => s.url)).toEqual([
        '/v1/group/update-slot',
        '/v1/group',
        '/v1/group',
      ]);
    } finally {
      await client.close();
      await sse.close();
    }
  });
});
