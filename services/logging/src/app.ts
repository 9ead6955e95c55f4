import type { FastifyPluginAsync } from 'fastify';
import { logsRoutes } from './http/logs-routes';
import type { TailHub } from './tail/tail-hub';

export interface LoggingAppOptions {
  /** The log directory to search and the hub live tails subscribe to. */
  logs?: { dir: string; hub: TailHub; onTailDropped?: (lines: number) => void };
  now?: () => number;
}

/**
 * The logging service's routes on the shared service server (createServiceServer: /healthz,
 * /ready, /metrics): the log search and live tail. Registering it starts nothing (no listener, no
 * timers); main.ts listens, tests call inject().
 */
export const loggingApp: FastifyPluginAsync<LoggingAppOptions> = async (app, d) => {
  const logs = d.logs;
  if (logs) {
    await app.register(logsRoutes, {
      dir: logs.dir,
      hub: logs.hub,
      ...(d.now ? { now: d.now } : {}),
      ...(logs.onTailDropped ? { onTailDropped: logs.onTailDropped } : {}),
    });
    // Live tails never end on their own; end them so close() does not wait for clients.
    app.addHook('preClose', async () => logs.hub.closeAll());
  }
};
