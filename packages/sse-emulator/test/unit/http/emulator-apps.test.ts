import { RouteSchemaMissing } from '@pa-connector/service-runtime';
import { SseRoutes } from '@pa-connector/sse-api';
import { Type } from '@sinclair/typebox';
import pino from 'pino';
import { buildEmulator } from '../../../src/emulator';
import { FaultTable } from '../../../src/faults/fault-table';
import { issueServerCertificate } from '../../../src/state/server-certificate';
import { fixtureCa, fixtureIdentity, newState } from '../state-fixture';

/**
 * Both fastify apps of the emulator, built as the emulator builds them (no listener): building
 * them at all proves every route declares its schemas, since the apps refuse one that does not.
 */
function build() {
  const { state, clock } = newState();
  const faults = new FaultTable();
  const ca = fixtureCa();
  const apps = buildEmulator({
    state,
    faults,
    persist: async () => {},
    ca,
    serverTls: issueServerCertificate(ca, [], clock.dateClock.now()),
    logger: pino({ level: 'silent' }),
    clock: clock.dateClock,
  });
  return { ...apps, state, faults };
}

let built: ReturnType<typeof build>;
beforeAll(() => {
  built = build();
});
afterAll(async () => {
  await Promise.all([built.sse.close(), built.admin.close()]);
});

describe('the emulator apps', () => {
  it('build and start with every route declaring its schemas', async () => {
    await Promise.all([built.sse.ready(), built.admin.ready()]);
    for (const path of Object.values(SseRoutes)) {
      expect(built.sse.printRoutes({ commonPrefix: false })).toContain(path.split('/').pop());
    }
    expect(built.admin.hasRoute({ method: 'PUT', url: '/admin/groups/:id/apps' })).toBe(true);
  });

  it('refuse a route that declares no schemas', () => {
    const fresh = build();
    expect(() => fresh.sse.get('/v1/extra', async () => ({}))).toThrow(RouteSchemaMissing);
    expect(() =>
      fresh.admin.post(
        '/admin/extra',
        { schema: { response: { 200: Type.Null() } } },
        async () => null,
      ),
    ).toThrow('route POST /admin/extra declares no body schema');
  });

  it.each([
    ['POST', '/admin/groups', { name: 5 }, 'name must be a non-empty string of at most 100'],
    [
      'POST',
      '/admin/groups',
      { name: 'g', maxConnectors: 0 },
      'maxConnectors must be an integer >= 1',
    ],
    [
      'POST',
      '/admin/groups',
      { name: 'tab\there' },
      'name must be 1 to 100 characters, not blank, no control characters',
    ],
    [
      'POST',
      '/admin/groups',
      [],
      'body must be a JSON object like {"name":"branch-office","maxConnectors":2}',
    ],
    [
      'PUT',
      '/admin/faults/catalog',
      { mode: 'slow', delayMs: 'soon' },
      'delayMs must be an integer',
    ],
    ['PUT', '/admin/faults/nope', { mode: 'down' }, 'endpoint must be one of *, register'],
    ['PUT', '/admin/release', { version: '1', images: { db: {} } }, 'images.db is not one of'],
  ])(
    'answer a schema refusal of %s %s as {error:{code,message}} naming the field',
    async (method, url, payload, message) => {
      const res = await built.admin.inject({ method: method as 'POST', url, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        error: { code: 'invalid_request', message: expect.stringContaining(message) },
      });
    },
  );

  it('keep the raw catalog route raw: any array is stored as given', async () => {
    const group = (
      await built.admin.inject({ method: 'POST', url: '/admin/groups', payload: { name: 'g' } })
    ).json();
    const apps = [1, 'two', { id: 3, servers: 'none' }, null];
    const res = await built.admin.inject({
      method: 'PUT',
      url: `/admin/groups/${group.id}/apps`,
      payload: apps,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().apps).toEqual(apps);
  });

  it('publish of a release keeps of each image what a POP reads', async () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    const res = await built.admin.inject({
      method: 'PUT',
      url: '/admin/release',
      payload: { version: '1.0.1', images: { update: { image: 'pa/update:1', digest, size: 9 } } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().images).toStrictEqual({ update: { image: 'pa/update:1', digest } });
    expect(built.state.release()?.images).toStrictEqual({
      update: { image: 'pa/update:1', digest },
    });
  });

  it.each([
    ['not-json', '{"truncated": tru'],
    [
      'missing-fields',
      '{"connectorId":"con_0000000000000000","groupId":"grp_0000000000000000","region":"local"}',
    ],
  ])(
    'send a malformed (%s) register answer byte for byte: its schema does not repair it',
    async (variant, sent) => {
      built.faults.set('register', { mode: 'malformed', variant: variant as 'not-json', count: 1 });
      const res = await built.sse.inject({
        method: 'POST',
        url: SseRoutes.register,
        payload: {
          provisioningKey: 'eyJrZXlJZCI6IngifQ',
          csr: fixtureIdentity().csr,
          hostname: 'h',
        },
      });
      expect(res.statusCode).toBe(201);
      expect(res.body).toBe(sent);
    },
  );
});
