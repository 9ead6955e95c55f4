import { notFound } from '../errors';
import { parseFaultSpec, parseFaultTarget } from '../faults/fault-table';
import { appBody, appsBody, groupBody, keyBody, releaseBody } from './bodies';
import type { AdminApp, AdminDeps } from './deps';
import { connectorView, groupView, keyView } from './views';

type Params = { id: string };

export function groupRoutes(app: AdminApp, deps: AdminDeps): void {
  const { state } = deps;

  app.post('/admin/groups', async (request, reply) => {
    const group = state.createGroup(groupBody(request.body));
    request.log.info({ groupId: group.id, pop: group.pop }, 'group created');
    await deps.persist();
    return reply.code(201).send(groupView(group, true));
  });

  app.get('/admin/groups', async () => state.listGroups().map((g) => groupView(g, false)));

  app.get<{ Params: Params }>('/admin/groups/:id', async (request) =>
    groupView(state.group(request.params.id), true),
  );

  app.put<{ Params: Params }>('/admin/groups/:id/apps', async (request) => {
    const group = state.setApps(request.params.id, appsBody(request.body));
    await deps.persist();
    return groupView(group, true);
  });

  app.post<{ Params: Params }>('/admin/groups/:id/apps', async (request, reply) => {
    const group = state.addApp(request.params.id, appBody(request.body));
    await deps.persist();
    return reply.code(201).send(groupView(group, true));
  });
}

export function keyRoutes(app: AdminApp, deps: AdminDeps): void {
  const { state, clock } = deps;

  app.post<{ Params: Params }>('/admin/groups/:id/keys', async (request, reply) => {
    const { record, key } = state.createKey(request.params.id, keyBody(request.body, clock.now()));
    request.log.info({ keyId: record.id, groupId: record.groupId }, 'provisioning key created');
    await deps.persist();
    // The only time the full key is shown.
    return reply.code(201).send({ ...keyView(record, clock.now()), key });
  });

  app.get<{ Params: Params }>('/admin/groups/:id/keys', async (request) =>
    state.listKeys(request.params.id).map((k) => keyView(k, clock.now())),
  );

  app.get<{ Params: Params }>('/admin/keys/:id', async (request) =>
    keyView(state.key(request.params.id), clock.now()),
  );

  app.post<{ Params: Params }>('/admin/keys/:id/revoke', async (request) => {
    const key = state.revokeKey(request.params.id);
    request.log.info({ keyId: key.id }, 'provisioning key revoked');
    await deps.persist();
    return keyView(key, clock.now());
  });
}

export function connectorAdminRoutes(app: AdminApp, deps: AdminDeps): void {
  const { state } = deps;

  app.get('/admin/connectors', async () =>
    state.listConnectors().map((c) => connectorView(c, false)),
  );

  app.get<{ Params: Params }>('/admin/connectors/:id', async (request) =>
    connectorView(state.connector(request.params.id), true),
  );

  app.delete<{ Params: Params }>('/admin/connectors/:id', async (request, reply) => {
    state.removeConnector(request.params.id);
    request.log.info({ connectorId: request.params.id }, 'connector removed');
    await deps.persist();
    await deps.gateways?.forget(request.params.id);
    return reply.code(204).send();
  });
}

export function releaseRoutes(app: AdminApp, deps: AdminDeps): void {
  const { state } = deps;

  app.put('/admin/release', async (request) => {
    const manifest = releaseBody(request.body, deps.clock.now());
    state.setRelease(manifest);
    await deps.persist();
    return manifest;
  });

  app.get('/admin/release', async () => {
    const manifest = state.release();
    if (!manifest) throw notFound('no release published');
    return manifest;
  });

  app.delete('/admin/release', async (_request, reply) => {
    state.setRelease(null);
    await deps.persist();
    return reply.code(204).send();
  });
}

export function faultRoutes(app: AdminApp, deps: AdminDeps): void {
  const { faults } = deps;
  app.get('/admin/faults', async () => faults.list());

  app.put<{ Params: { endpoint: string } }>('/admin/faults/:endpoint', async (request) => {
    const target = parseFaultTarget(request.params.endpoint);
    const spec = parseFaultSpec(request.body);
    faults.set(target, spec);
    request.log.warn({ endpoint: target, fault: spec.mode }, 'fault armed');
    return { endpoint: target, ...spec };
  });

  app.delete<{ Params: { endpoint: string } }>(
    '/admin/faults/:endpoint',
    async (request, reply) => {
      faults.clear(parseFaultTarget(request.params.endpoint));
      return reply.code(204).send();
    },
  );

  app.delete('/admin/faults', async (_request, reply) => {
    faults.clear();
    return reply.code(204).send();
  });
}

export function infoRoutes(app: AdminApp, deps: AdminDeps): void {
  app.get('/admin/healthz', async () => ({ status: 'ok' }));
  app.get('/admin/ca', async (_request, reply) =>
    reply.type('application/x-pem-file').send(deps.caCertPem),
  );
  app.get('/admin/pops', async () => deps.state.popList());
}
