import type { ReleaseManifest } from '@pa-connector/sse-api';
import { Type } from '@sinclair/typebox';
import { invalidRequest, notFound } from '../errors';
import { resolveFaultSpec } from '../faults/fault-table';
import type { GroupRecord } from '../state/model';
import type { AdminApp, AdminDeps } from './deps';
import {
  AppRequest,
  AppsRequest,
  ArmedFault,
  answers,
  CaPem,
  ConnectorSummary,
  ConnectorView,
  FaultList,
  FaultParams,
  FaultRequest,
  GroupRequest,
  GroupSummary,
  GroupView,
  Healthz,
  IdParams,
  KeyRequest,
  KeyView,
  NewGroupView,
  NewKeyView,
  NoBody,
  RegionList,
  ReleaseManifest as ReleaseManifestSchema,
  ReleaseRequest,
  RotatedKeyView,
} from './schemas';
import { connectorSummary, connectorView, groupSummary, groupView, keyView } from './views';

export function groupRoutes(app: AdminApp, deps: AdminDeps): void {
  const { state } = deps;
  const view = (group: GroupRecord) => groupView(group, state.catalogEntries(group.id));

  app.post(
    '/admin/groups',
    { schema: { body: GroupRequest, response: answers({ 201: NewGroupView }) } },
    async (request, reply) => {
      const { name, region, customerId, maxConnectors } = request.body;
      const { group, key } = state.createGroup({
        name,
        ...(region === undefined ? {} : { region }),
        ...(customerId === undefined ? {} : { customerId }),
        ...(maxConnectors === undefined ? {} : { maxConnectors }),
      });
      request.log.info(
        { groupId: group.id, region: group.region, keyId: key.record.id },
        'group created with its provisioning key',
      );
      await deps.persist();
      // The only time the group's key is shown whole.
      return reply.code(201).send({ ...view(group), key: key.key });
    },
  );

  app.get(
    '/admin/groups',
    { schema: { response: answers({ 200: Type.Array(GroupSummary) }) } },
    async () => state.listGroups().map((g) => groupSummary(g, state.catalogEntries(g.id))),
  );

  app.get(
    '/admin/groups/:id',
    { schema: { params: IdParams, response: answers({ 200: GroupView }) } },
    async (request) => view(state.group(request.params.id)),
  );

  // Raw on purpose: tests feed malformed catalog entries through here.
  app.put(
    '/admin/groups/:id/apps',
    { schema: { params: IdParams, body: AppsRequest, response: answers({ 200: GroupView }) } },
    async (request) => {
      const group = state.setApps(request.params.id, request.body);
      await deps.persist();
      return view(group);
    },
  );

  app.post(
    '/admin/groups/:id/apps',
    { schema: { params: IdParams, body: AppRequest, response: answers({ 201: GroupView }) } },
    async (request, reply) => {
      const b = request.body;
      const keys = Object.keys(b);
      const entry = keys.length === 1 && keys[0] === 'app' ? b.app : b;
      const group = state.addApp(request.params.id, entry);
      await deps.persist();
      return reply.code(201).send(view(group));
    },
  );
}

export function keyRoutes(app: AdminApp, deps: AdminDeps): void {
  const { state, clock } = deps;

  app.post(
    '/admin/groups/:id/keys',
    { schema: { params: IdParams, body: KeyRequest, response: answers({ 201: NewKeyView }) } },
    async (request, reply) => {
      const b = request.body ?? {};
      if (b.expiresInSeconds !== undefined && b.expiresAt !== undefined) {
        throw invalidRequest('give expiresInSeconds or expiresAt, not both');
      }
      const now = clock.now();
      const expiresAt =
        b.expiresInSeconds !== undefined
          ? new Date(now.getTime() + b.expiresInSeconds * 1000)
          : b.expiresAt !== undefined
            ? new Date(b.expiresAt)
            : undefined;
      const { record, key } = state.createKey(request.params.id, {
        ...(b.maxUses === undefined ? {} : { maxUses: b.maxUses }),
        ...(expiresAt === undefined ? {} : { expiresAt }),
      });
      request.log.info({ keyId: record.id, groupId: record.groupId }, 'provisioning key created');
      await deps.persist();
      // The only time the full key is shown.
      return reply.code(201).send({ ...keyView(record, clock.now()), key });
    },
  );

  app.post(
    '/admin/groups/:id/keys/rotate',
    { schema: { params: IdParams, body: NoBody, response: answers({ 201: RotatedKeyView }) } },
    async (request, reply) => {
      const { created, revoked } = state.rotateKey(request.params.id);
      request.log.info(
        { groupId: created.record.groupId, keyId: created.record.id, revokedKeyId: revoked?.id },
        'group provisioning key rotated',
      );
      await deps.persist();
      return reply.code(201).send({
        ...keyView(created.record, clock.now()),
        key: created.key,
        revokedKeyId: revoked?.id ?? null,
      });
    },
  );

  app.get(
    '/admin/groups/:id/keys',
    { schema: { params: IdParams, response: answers({ 200: Type.Array(KeyView) }) } },
    async (request) => state.listKeys(request.params.id).map((k) => keyView(k, clock.now())),
  );

  app.get(
    '/admin/keys/:id',
    { schema: { params: IdParams, response: answers({ 200: KeyView }) } },
    async (request) => keyView(state.key(request.params.id), clock.now()),
  );

  app.post(
    '/admin/keys/:id/revoke',
    { schema: { params: IdParams, body: NoBody, response: answers({ 200: KeyView }) } },
    async (request) => {
      const key = state.revokeKey(request.params.id);
      request.log.info({ keyId: key.id }, 'provisioning key revoked');
      await deps.persist();
      return keyView(key, clock.now());
    },
  );
}

export function connectorAdminRoutes(app: AdminApp, deps: AdminDeps): void {
  const { state } = deps;

  app.get(
    '/admin/connectors',
    { schema: { response: answers({ 200: Type.Array(ConnectorSummary) }) } },
    async () => state.listConnectors().map(connectorSummary),
  );

  app.get(
    '/admin/connectors/:id',
    { schema: { params: IdParams, response: answers({ 200: ConnectorView }) } },
    async (request) => connectorView(state.connector(request.params.id)),
  );

  app.delete(
    '/admin/connectors/:id',
    { schema: { params: IdParams, response: answers({ 204: NoBody }) } },
    async (request, reply) => {
      state.removeConnector(request.params.id);
      request.log.info({ connectorId: request.params.id }, 'connector removed');
      await deps.persist();
      await deps.gateways?.forget(request.params.id);
      return reply.code(204).send();
    },
  );
}

export function releaseRoutes(app: AdminApp, deps: AdminDeps): void {
  const { state } = deps;

  app.put(
    '/admin/release',
    { schema: { body: ReleaseRequest, response: answers({ 200: ReleaseManifestSchema }) } },
    async (request) => {
      const b = request.body;
      const manifest: ReleaseManifest = {
        version: b.version,
        publishedAt: b.publishedAt ?? deps.clock.now().toISOString(),
        // Only what a POP reads of each image, as the SSE would publish it.
        images: Object.fromEntries(
          Object.entries(b.images ?? {}).map(([service, { image, digest }]) => [
            service,
            { image, digest },
          ]),
        ),
        ...(b.minAutoUpgradeVersion === undefined
          ? {}
          : { minAutoUpgradeVersion: b.minAutoUpgradeVersion }),
      };
      state.setRelease(manifest);
      await deps.persist();
      return manifest;
    },
  );

  app.get(
    '/admin/release',
    { schema: { response: answers({ 200: ReleaseManifestSchema }) } },
    async () => {
      const manifest = state.release();
      if (!manifest) throw notFound('no release published');
      return manifest;
    },
  );

  app.delete(
    '/admin/release',
    { schema: { response: answers({ 204: NoBody }) } },
    async (_request, reply) => {
      state.setRelease(null);
      await deps.persist();
      return reply.code(204).send();
    },
  );
}

export function faultRoutes(app: AdminApp, deps: AdminDeps): void {
  const { faults } = deps;
  app.get('/admin/faults', { schema: { response: answers({ 200: FaultList }) } }, async () =>
    faults.list(),
  );

  app.put(
    '/admin/faults/:endpoint',
    {
      schema: { params: FaultParams, body: FaultRequest, response: answers({ 200: ArmedFault }) },
    },
    async (request) => {
      const target = request.params.endpoint;
      const spec = resolveFaultSpec(request.body);
      faults.set(target, spec);
      request.log.warn({ endpoint: target, fault: spec.mode }, 'fault armed');
      return { endpoint: target, ...spec };
    },
  );

  app.delete(
    '/admin/faults/:endpoint',
    { schema: { params: FaultParams, response: answers({ 204: NoBody }) } },
    async (request, reply) => {
      faults.clear(request.params.endpoint);
      return reply.code(204).send();
    },
  );

  app.delete(
    '/admin/faults',
    { schema: { response: answers({ 204: NoBody }) } },
    async (_request, reply) => {
      faults.clear();
      return reply.code(204).send();
    },
  );
}

export function infoRoutes(app: AdminApp, deps: AdminDeps): void {
  app.get('/admin/healthz', { schema: { response: answers({ 200: Healthz }) } }, async () => ({
    status: 'ok' as const,
  }));
  app.get('/admin/ca', { schema: { response: answers({ 200: CaPem }) } }, async (_request, reply) =>
    reply.type('application/x-pem-file').send(deps.caCertPem),
  );
  app.get('/admin/regions', { schema: { response: answers({ 200: RegionList }) } }, async () =>
    deps.state.regionList(),
  );
}
