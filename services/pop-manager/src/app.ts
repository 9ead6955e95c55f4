import type { FastifyPluginAsync } from 'fastify';
import { STATUS_PAGE_PATHS, statusPageRoutes } from './http/status-page-routes';
import { statusRoutes } from './http/status-routes';
import type { PopManagerStatus } from './status/pop-status';

/**
 * Besides the probes, the status page's polling arrives every few seconds: its request lines
 * would drown everything else (the server's `quietRoutes`).
 */
export const QUIET_ROUTES: readonly string[] = ['/status', ...STATUS_PAGE_PATHS];

export interface PopManagerAppOptions {
  /** The POP status, collected when asked (GET /status and the page). */
  status: () => Promise<PopManagerStatus>;
  /** Where the page's files are (default: the package's static/). */
  staticDir?: string;
}

/**
 * pop-manager's routes on the shared service server (createServiceServer: /healthz, /ready,
 * /metrics): /status and the status page at /. Registering it starts nothing (no listener, no
 * timers); main.ts listens, tests call inject().
 */
export const popManagerApp: FastifyPluginAsync<PopManagerAppOptions> = async (app, d) => {
  await app.register(statusRoutes, { status: d.status });
  await app.register(statusPageRoutes, d.staticDir ? { dir: d.staticDir } : {});
};
