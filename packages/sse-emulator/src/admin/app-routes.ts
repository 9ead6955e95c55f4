import { Type } from '@sinclair/typebox';
import type { AdminApp, AdminDeps } from './deps';
import {
  AppGroupsRequest,
  AppRecordView,
  answers,
  IdParams,
  NewAppRequest,
  NoBody,
} from './schemas';

/**
 * Apps as a relation of their own: defined once, associated with any number of groups; each
 * group's catalog publishes them after its own entries.
 */
export function appRoutes(app: AdminApp, deps: AdminDeps): void {
  const { state } = deps;

  app.post(
    '/admin/apps',
    { schema: { body: NewAppRequest, response: answers({ 201: AppRecordView }) } },
    async (request, reply) => {
      const { id, name, host, port, servers, strategy, healthCheck, groups } = request.body;
      const record = state.createApp({
        app: {
          ...(id === undefined ? {} : { id }),
          name,
          host,
          port,
          servers,
          strategy,
          healthCheck,
        },
        ...(groups === undefined ? {} : { groups }),
      });
      request.log.info({ appId: record.id, groups: record.groups }, 'app created');
      await deps.persist();
      return reply.code(201).send(record);
    },
  );

  app.get(
    '/admin/apps',
    { schema: { response: answers({ 200: Type.Array(AppRecordView) }) } },
    async () => state.listApps(),
  );

  app.get(
    '/admin/apps/:id',
    { schema: { params: IdParams, response: answers({ 200: AppRecordView }) } },
    async (request) => state.app(request.params.id),
  );

  app.put(
    '/admin/apps/:id/groups',
    {
      schema: {
        params: IdParams,
        body: AppGroupsRequest,
        response: answers({ 200: AppRecordView }),
      },
    },
    async (request) => {
      const record = state.setAppGroups(request.params.id, request.body.groups);
      request.log.info({ appId: record.id, groups: record.groups }, "app's groups set");
      await deps.persist();
      return record;
    },
  );

  app.delete(
    '/admin/apps/:id',
    { schema: { params: IdParams, response: answers({ 204: NoBody }) } },
    async (request, reply) => {
      const record = state.removeApp(request.params.id);
      request.log.info({ appId: record.id, groups: record.groups }, 'app deleted');
      await deps.persist();
      return reply.code(204).send();
    },
  );
}
