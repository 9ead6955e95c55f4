import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { closeKeepAlivePlugin } from '../../src';

const servers: FastifyInstance[] = [];
afterEach(() => {
  // Whatever a failed test left open.
  for (const app of servers.splice(0)) app.server.closeAllConnections();
});

/**
 * A server whose keep-alive outlasts any test, so close() must not wait for it. `closing`
 * resolves once close() has got as far as closing the listener (after its preClose hooks):
 * a connection still busy then is the case at stake.
 */
async function server(routes: (app: FastifyInstance) => void) {
  const app = Fastify({ keepAliveTimeout: 600_000 });
  await app.register(closeKeepAlivePlugin);
  routes(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const closeListener = app.server.close.bind(app.server);
  const closing = new Promise<void>((began) => {
    app.server.close = (cb) => {
      closeListener(cb);
      began();
      return app.server;
    };
  });
  servers.push(app);
  return { app, port: (app.server.address() as AddressInfo).port, closing };
}

/** A GET over a keep-alive agent; resolves with the response and its socket's close. */
function get(port: number, path: string, agent: Agent) {
  return new Promise<{ res: IncomingMessage; body: Promise<string>; socketClosed: Promise<void> }>(
    (resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
        const socketClosed = new Promise<void>((r) => res.socket.once('close', () => r()));
        const body = new Promise<string>((r) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            text += c;
          });
          res.on('end', () => r(text));
        });
        resolve({ res, body, socketClosed });
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('closeKeepAlivePlugin', () => {
  let agent: Agent;
  beforeEach(() => {
    agent = new Agent({ keepAlive: true });
  });
  afterEach(() => agent.destroy());

  it('a request in flight when close() begins is answered, with Connection: close, and close() then resolves', async () => {
    let release = () => {};
    let entered = () => {};
    const inHandler = new Promise<void>((r) => {
      entered = r;
    });
    const { app, port, closing } = await server((app) =>
      app.get('/slow', async () => {
        entered();
        await new Promise<void>((r) => {
          release = r;
        });
        return { done: true };
      }),
    );
    // A connection that served a request first, so the agent keeps it.
    const answer = get(port, '/slow', agent);
    await inHandler;
    const closed = app.close();
    await closing;
    release();
    const { res, body, socketClosed } = await answer;
    expect(res.statusCode).toBe(200);
    expect(res.headers.connection).toBe('close');
    expect(JSON.parse(await body)).toEqual({ done: true });
    await socketClosed;
    await closed;
  });

  it('a response whose headers went out before close() ends its connection once it finishes', async () => {
    const stream = new PassThrough();
    let sent = () => {};
    const headersOut = new Promise<void>((r) => {
      sent = r;
    });
    const { app, port, closing } = await server((app) =>
      app.get('/stream', async (_req, reply) => {
        setImmediate(sent);
        return reply.type('text/plain').send(stream);
      }),
    );
    const answer = get(port, '/stream', agent);
    await headersOut;
    stream.write('first, ');
    const { res, body, socketClosed } = await answer;
    expect(res.headers.connection).toBe('keep-alive');
    const closed = app.close();
    await closing;
    stream.end('last words');
    expect(await body).toBe('first, last words');
    await socketClosed;
    await closed;
  });

  it('does nothing to a server that is not closing: the connection is reused', async () => {
    const { app, port } = await server((app) => app.get('/', async () => 'ok'));
    try {
      const first = await get(port, '/', agent);
      await first.body;
      const second = await get(port, '/', agent);
      await second.body;
      expect(first.res.headers.connection).toBe('keep-alive');
      expect(second.res.socket).toBe(first.res.socket);
    } finally {
      await app.close();
    }
  });
});
