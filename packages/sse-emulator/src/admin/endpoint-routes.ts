import { notFound } from '../errors';
import type { AdminApp, AdminDeps } from './deps';
import { answers, EndpointTableView } from './schemas';

/** The firewall table as this emulator serves it: each purpose's URLs and each PoP's gateways. */
export function endpointRoutes(app: AdminApp, deps: AdminDeps): void {
  app.get(
    '/admin/endpoints',
    { schema: { response: answers({ 200: EndpointTableView }) } },
    async () => {
      if (!deps.endpoints) throw notFound('this emulator was built without listeners');
      return deps.endpoints();
    },
  );
}
