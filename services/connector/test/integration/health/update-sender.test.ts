import { createServer, type Server, type Socket } from 'node:net';
import { httpUpdateSender } from '../../../src/health/update-sender';

/** A control endpoint that accepts and never answers, counting the connections it holds. */
async function silentEndpoint(): Promise<{ server: Server; port: number; open: Set<Socket> }> {
  const open = new Set<Socket>();
  const server = createServer((s) => {
    open.add(s);
    s.on('close', () => open.delete(s));
    s.on('error', () => undefined);
    // Reads (and drops) the request, so a close from the sender is seen.
    s.resume();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  return { server, port: typeof a === 'object' && a ? a.port : 0, open };
}

describe('httpUpdateSender', () => {
  it('a cancelled update resolves as cancelled at once and closes its connection', async () => {
    const gw = await silentEndpoint();
    try {
      const abort = new AbortController();
      const sending = httpUpdateSender(
        { controlUrl: `http://127.0.0.1:${gw.port}`, localAddress: '127.0.0.1' },
        { connectorId: 'c', sentAt: new Date(0).toISOString(), apps: [] },
        60_000,
        abort.signal,
      );
      while (gw.open.size === 0) await new Promise((r) => setTimeout(r, 10));
      abort.abort();
      expect(await sending).toEqual({ outcome: 'cancelled', error: 'its tunnel is gone' });
      while (gw.open.size > 0) await new Promise((r) => setTimeout(r, 10));
      expect(gw.open.size).toBe(0);
    } finally {
      await new Promise((r) => gw.server.close(r));
    }
  });

  it('an update cancelled before it starts is not sent', async () => {
    const abort = new AbortController();
    abort.abort();
    expect(
      await httpUpdateSender(
        { controlUrl: 'http://127.0.0.1:1', localAddress: '127.0.0.1' },
        { connectorId: 'c', sentAt: new Date(0).toISOString(), apps: [] },
        1_000,
        abort.signal,
      ),
    ).toMatchObject({ outcome: 'cancelled' });
  });
});
