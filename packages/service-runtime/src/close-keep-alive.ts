import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Ends keep-alive connections when the service stops. Fastify's close() stops accepting and
 * closes the connections idle at that moment, but a connection that was answering a request then
 * stays open once the answer is sent, until the client's keep-alive ends (about a minute for
 * undici), and close() waits for it: a SIGTERM during a request outlasted the grace period.
 * While closing, every answer says `Connection: close`, and a connection that went idle after
 * close() began is closed too.
 */
const plugin: FastifyPluginAsync = async (app) => {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
  app.addHook('onResponse', async () => {
    // A response whose headers were sent before close() began still said keep-alive.
    if (closing) setImmediate(() => app.server.closeIdleConnections?.());
  });
};

export const closeKeepAlivePlugin = fp(plugin, { name: 'pa-close-keep-alive', fastify: '5.x' });
