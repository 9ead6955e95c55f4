import { notFound } from '../errors';
import type { GatewayFleet } from '../gateways/gateway-fleet';
import type { AdminApp, AdminDeps } from './deps';

type Params = { name: string };

/**
 * Control of the real gateways, for tests and people: list, view, kill, stop, start; and the
 * user ingress's counters (per tunnel: connections carried, refused, failed).
 */
export function gatewayRoutes(app: AdminApp, deps: AdminDeps): void {
  const fleet = (): GatewayFleet => {
    if (!deps.gateways) {
      throw notFound('this emulator runs no gateways (start it with --gateways)');
    }
    return deps.gateways;
  };
  /** One gateway's view, with what the ingress sent through its tunnels when it runs. */
  const view = async (name: string) => {
    const v = await fleet().view(name);
    return deps.ingress ? { ...v, ingress: deps.ingress.stats.tunnels(name) } : v;
  };

  app.get('/admin/gateways', async () => fleet().list());

  app.get<{ Params: Params }>('/admin/gateways/:name', async (request) =>
    view(request.params.name),
  );

  app.post<{ Params: Params }>('/admin/gateways/:name/kill', async (request) => {
    await fleet().kill(request.params.name);
    return view(request.params.name);
  });

  app.post<{ Params: Params }>('/admin/gateways/:name/stop', async (request) => {
    await fleet().stop(request.params.name);
    return view(request.params.name);
  });

  app.post<{ Params: Params }>('/admin/gateways/:name/start', async (request) => {
    await fleet().start(request.params.name);
    return view(request.params.name);
  });

  app.get('/admin/ingress', async () => {
    const ingress = deps.ingress;
    if (!ingress) throw notFound('the user ingress is off (start with --ingress-port)');
    return {
      url: ingress.url ?? null,
      totals: ingress.stats.totals,
      tunnels: ingress.stats.tunnels(),
    };
  });
}
