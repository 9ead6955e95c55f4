import { requireBinary, requireRoot } from '@pa-connector/test-support';
import { fuzzCatalog, pick } from '../src/fuzz/catalog-entries';
import { fuzzSeed, seededRandom } from '../src/fuzz/seeded-random';
import { getJson, type Stack, type StackApp, startStack, waitUntil } from '../src/stack';

const FUZZ_VERSIONS = 5;
const FUZZ_ENTRIES = 120;

/** The catalog entry the stack's cloud holds for `app` (HTTP health check of `/`). */
const entry = (app: StackApp) => ({
  id: app.id,
  name: `App ${app.id}`,
  host: app.host,
  port: app.port,
  servers: app.servers.map((s) => ({ host: s.host, port: s.port })),
  strategy: 'round-robin',
  healthCheck: { type: 'http', path: '/', expectStatus: 200 },
});

/** A value of the connector's /metrics (0 when the series is absent, unless `required`). */
async function metric(stack: Stack, series: string, required = false): Promise<number> {
  const res = await fetch(`${stack.connector.url}/metrics`, { signal: AbortSignal.timeout(5_000) });
  const line = (await res.text()).split('\n').find((l) => l.startsWith(`${series} `));
  if (!line && required) throw new Error(`the connector's /metrics has no ${series}`);
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** Requests to every good app through the ingress; all must be answered by an app server. */
async function expectServed(stack: Stack, times = 2): Promise<void> {
  for (const app of [stack.apps.web, stack.apps.web6]) {
    for (let i = 0; i < times; i++) {
      const a = await stack.request('/', app);
      expect({ app: app.id, connect: a.connectStatus, status: a.status }).toEqual({
        app: app.id,
        connect: 200,
        status: 200,
      });
    }
  }
}

function expectAlive(stack: Stack): void {
  if (!stack.connector.process.running()) {
    throw new Error(`the connector exited:\n${stack.connector.process.tail(20).join('\n')}`);
  }
}

/**
 * The catalog as the cloud's input: bad entries are that entry's problem (rejected and
 * reported), never the POP's; and the last good catalog outlives a restart during an SSE outage.
 */
describe('catalog resilience (emulator catalog → connector → proxy → app)', () => {
  let stack: Stack;

  beforeAll(async () => {
    requireRoot('the stack creates network namespaces, tun devices and openvpn processes');
    requireBinary('openvpn', 'openvpn');
    requireBinary('redis-cli', 'redis-tools');
    stack = await startStack({
      connectorEnv: { PA_CATALOG_INTERVAL: '1s' },
      progress: (l) => process.stdout.write(`stack: ${l}\n`),
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('an HTTP health-check path with a space is rejected; the connector stays up and serves the other apps', async () => {
    const before = await metric(stack, 'pa_connector_catalog_sync_total{result="updated"}');
    await stack.admin('PUT', `/admin/groups/${stack.groupId}/apps`, [
      entry(stack.apps.web),
      {
        ...entry({ ...stack.apps.web, id: 'typo', host: 'typo.demo.internal' }),
        healthCheck: { type: 'http', path: '/health check', expectStatus: 200 },
      },
      entry(stack.apps.web6),
    ]);
    await waitUntil(
      'the connector took the new catalog',
      async () => {
        expectAlive(stack);
        return (await metric(stack, 'pa_connector_catalog_sync_total{result="updated"}')) > before
          ? true
          : undefined;
      },
      30_000,
    );
    expect(await metric(stack, 'pa_connector_catalog_rejected_apps')).toBe(1);
    // Several rounds of probes of what was applied, then users are still served.
    const rounds = async () =>
      metric(stack, 'pa_connector_health_probe_duration_seconds_count{type="http",result="ok"}');
    const probed = await rounds();
    await waitUntil(
      'more probe rounds',
      async () => {
        expectAlive(stack);
        return (await rounds()) >= probed + 9 ? true : undefined;
      },
      30_000,
    );
    expectAlive(stack);
    expect((await getJson(`${stack.connector.url}/ready`)).status).toBe(200);
    await expectServed(stack);
    expect(await metric(stack, 'pa_process_unhandled_rejections_total', true)).toBe(0);
  });

  it('fuzz: hundreds of malformed entries over several catalog versions; the connector stays ready and serves the good apps throughout', async () => {
    const seed = fuzzSeed();
    process.stdout.write(`catalog fuzz seed ${seed} (replay with PA_FUZZ_SEED=${seed})\n`);
    const rand = seededRandom(seed);
    const good = [stack.apps.web, stack.apps.web6];
    const app1 = stack.apps.web.servers[0] as { host: string; port: number };
    let malformedTotal = 0;
    for (let version = 1; version <= FUZZ_VERSIONS; version++) {
      const f = fuzzCatalog(
        {
          rand,
          version,
          safeServers: stack.apps.web.servers.map((s) => s.host),
          liveServer: { host: app1.host, port: app1.port },
          reservedIds: good.map((a) => a.id),
        },
        FUZZ_ENTRIES,
      );
      malformedTotal += f.malformed;
      const entries = [...f.entries];
      for (const app of good) {
        entries.splice(Math.floor(rand() * (entries.length + 1)), 0, entry(app));
      }
      const where = `seed ${seed}, version ${version}`;
      const before = await metric(stack, 'pa_connector_catalog_sync_total{result="updated"}');
      await stack.admin('PUT', `/admin/groups/${stack.groupId}/apps`, entries);
      await waitUntil(
        `the connector took catalog ${version} (${where})`,
        async () => {
          expectAlive(stack);
          return (await metric(stack, 'pa_connector_catalog_sync_total{result="updated"}')) > before
            ? true
            : undefined;
        },
        30_000,
      );
      expect({ where, applied: await metric(stack, 'pa_connector_catalog_apps') }).toEqual({
        where,
        applied: good.length + f.valid.length,
      });
      expect({
        where,
        rejected: await metric(stack, 'pa_connector_catalog_rejected_apps'),
      }).toEqual({ where, rejected: f.malformed });
      expectAlive(stack);
      expect((await getJson(`${stack.connector.url}/ready`)).status).toBe(200);
      await expectServed(stack, 1);
      if (f.valid.length > 0) {
        const v = pick(rand, f.valid);
        const app: StackApp = {
          ...v,
          address: `${v.host}:${v.port}`,
          servers: [{ name: 'app1', ...app1 }],
        };
        await stack.waitForApp(app, 'up', 2, 30_000);
        const a = await stack.request('/', app);
        expect({ where, app: v.id, connect: a.connectStatus, status: a.status }).toEqual({
          where,
          app: v.id,
          connect: 200,
          status: 200,
        });
      }
    }
    process.stdout.write(
      `catalog fuzz: ${FUZZ_VERSIONS} versions, ${malformedTotal} malformed entries rejected, connector ready and serving throughout\n`,
    );
    expect(await metric(stack, 'pa_process_unhandled_rejections_total', true)).toBe(0);
  });

  it('a restart while the SSE does not answer the catalog keeps serving the last good catalog', async () => {
    await stack.admin('PUT', `/admin/groups/${stack.groupId}/apps`, [
      entry(stack.apps.web),
      entry(stack.apps.web6),
    ]);
    await stack.waitForApp(stack.apps.web6, 'up', 2, 30_000);
    // Let the connector settle on this catalog version before the SSE goes away.
    await new Promise((r) => setTimeout(r, 3_000));
    await stack.admin('PUT', '/admin/faults/catalog', { mode: 'down' });
    try {
      await stack.restartConnector();
      expect(await metric(stack, 'pa_connector_catalog_sync_total{result="updated"}')).toBe(0);
      await stack.waitForApp(stack.apps.web, 'up', 2, 30_000);
      await stack.waitForApp(stack.apps.web6, 'up', 2, 30_000);
      await expectServed(stack);
      expect(await metric(stack, 'pa_connector_catalog_sync_total{result="updated"}')).toBe(0);
    } finally {
      await stack.admin('DELETE', '/admin/faults');
    }
  });
});
