import { notFound } from '../errors';
import type { GatewayFleet } from '../gateways/gateway-fleet';
import type { AdminApp, AdminDeps } from './deps';
import { answers, GatewayList, GatewayView, IngressView, NameParams, NoBody } from './schemas';

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
  const one = { params: NameParams, response: answers({ 200: GatewayView }) };
  const action = { ...one, body: NoBody };

  app.get('/admin/gateways', { schema: { response: answers({ 200: GatewayList }) } }, async () =>
    fleet().list(),
  );

  app.get('/admin/gateways/:name', { schema: one }, async (request) => view(request.params.name));

  app.post('/admin/gateways/:name/kill', { schema: action }, async (request) => {
    await fleet().kill(request.params.name);
    return view(request.params.name);
  });

  app.post('/admin/gateways/:name/stop', { schema: action }, async (request) => {
    await fleet().stop(request.params.name);
    return view(request.params.name);
  });

  app.post('/admin/gateways/:name/start', { schema: action }, async (request) => {
    await fleet().start(request.params.name);
    return view(request.params.name);
  });

  app.get('/admin/ingress', { schema: { response: answers({ 200: IngressView }) } }, async () => {
    const ingress = deps.ingress;
    if (!ingress) throw notFound('the user ingress is off (start with --ingress-port)');
    return {
      url: ingress.url ?? null,
      totals: { ...ingress.stats.totals },
      tunnels: ingress.stats.tunnels(),
      connectors: ingress.stats.connectors(),
    };
  });
}
