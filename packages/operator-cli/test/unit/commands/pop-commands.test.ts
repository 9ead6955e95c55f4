import { freePort } from '@pa-connector/test-support';
import { NOW, popStatusFixture } from '../../support/pop-status-fixture';
import { runInProcess } from '../../support/run-in-process';
import { type StandIn, sendJson, standIn } from '../../support/stand-in-server';

describe('status, version, tunnels, apps (against a stand-in pop-manager)', () => {
  let pm: StandIn;
  let body: unknown;
  let status = 200;
  beforeAll(async () => {
    pm = await standIn((req, res) => {
      if (req.url === '/status') return sendJson(res, status, body);
      if (req.url === '/ready') {
        return sendJson(res, 503, {
          service: 'connector',
          ready: false,
          checks: { enrolled: { ok: false, detail: { phase: 'enrolling' } }, redis: { ok: true } },
        });
      }
      sendJson(res, 404, {});
    });
  });
  beforeEach(() => {
    body = popStatusFixture();
    status = 200;
  });
  afterAll(() => pm.close());

  const run = (...argv: string[]) =>
    runInProcess(argv, { PA_POP_MANAGER_URL: pm.url, PA_CONNECTOR_URL: pm.url }, { now: NOW });

  it('status: who, host, tunnels, apps, push, then the services table and recent errors', async () => {
    const r = await run('status');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      [
        'POP:            edge-vm-01',
        'reported:       2026-03-01T11:59:58.000Z (2s ago)',
        'version:        1.4.0',
        'host:           cpu 12%, memory 25% of 4.0 GiB, disk 20% of 30.0 GiB, load 0.1 0.2 0.3, up 1d 1h',
        'tunnels:        1 connected, 1 reconnecting',
        'apps:           1 up, 1 unhealthy, 1 unknown',
        'push to SSE:    last delivered 30s ago',
        'connector:      not ready: enrolled (phase enrolling)',
        'draining:       unknown',
        `group:          unknown: connector at ${pm.url}/internal/v1/group answered HTTP 404`,
        'recent errors:  1',
      ].join('\n'),
    );
    expect(r.stdout).toContain(
      [
        'SERVICE      STATUS  VERSION   PID  STARTED     LAST HEARTBEAT  REASON',
        'connector    up      1.4.0    4242  2h 0m ago   5s ago          -',
        'logging      up      1.4.0    4243  1h 59m ago  3s ago          -',
        'update       stale   1.3.9    4244  -           25s ago         no heartbeat for 25s',
        'pop-manager  down    -           -  -           -               no heartbeat',
      ].join('\n'),
    );
    expect(r.stdout).toContain(
      '  2026-03-01T11:58:00.000Z  connector: health update failed (socket hang up)',
    );
  });

  it('status: the connector not reachable is a line, not a failure', async () => {
    const port = await freePort();
    const r = await runInProcess(
      ['status'],
      { PA_POP_MANAGER_URL: pm.url, PA_CONNECTOR_URL: `http://127.0.0.1:${port}` },
      { now: NOW },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `connector:      connector is not reachable at http://127.0.0.1:${port}/ready (connection refused)`,
    );
  });

  it('status: a connector /ready that breaks the contract is a line naming the field', async () => {
    const connector = await standIn((_req, res) =>
      sendJson(res, 200, { service: 'connector', ready: 'yes', checks: {} }),
    );
    try {
      const r = await runInProcess(
        ['status'],
        { PA_POP_MANAGER_URL: pm.url, PA_CONNECTOR_URL: connector.url },
        { now: NOW },
      );
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(
        'connector:      connector /ready answered a bad ready: Expected boolean',
      );
    } finally {
      await connector.close();
    }
  });

  it('status --json prints the answer as it came, with the connector draining and its group (null when unknown)', async () => {
    const r = await run('status', '--json');
    expect(JSON.parse(r.stdout)).toEqual({
      ...(popStatusFixture() as object),
      draining: null,
      group: null,
      groupError: `connector at ${pm.url}/internal/v1/group answered HTTP 404`,
    });
  });

  it('version: running versions; the available column only once it is published', async () => {
    const r = await run('version');
    expect(r.stdout.split('\n')).toEqual([
      'POP release: 1.4.0',
      '',
      'SERVICE      RUNNING',
      'connector    1.4.0',
      'logging      1.4.0',
      'update       1.3.9',
      'pop-manager  -',
      '',
      'Available version: not published by the update service.',
    ]);
    body = { ...popStatusFixture(), update: { state: 'idle', available: '1.5.0' } };
    const withAvailable = await run('version', '--json');
    expect(JSON.parse(withAvailable.stdout)).toMatchObject({
      release: '1.4.0',
      available: '1.5.0',
      updateState: 'idle',
      services: expect.arrayContaining([{ name: 'update', running: '1.3.9', available: '1.5.0' }]),
    });
    const shown = (await run('version')).stdout;
    expect(shown).toMatch(/SERVICE\s+RUNNING\s+AVAILABLE\nconnector\s+1\.4\.0\s+1\.5\.0/);
    expect(shown).toMatch(/\n\nUpdate service: idle$/);
    const message =
      'manual upgrade required: this POP runs 1.0.0.2; release 1.5.0 upgrades automatically only from 1.0.0.3 on.';
    body = {
      ...popStatusFixture(),
      update: { state: 'manual-upgrade-required', available: '1.5.0', message },
    };
    expect((await run('version')).stdout).toMatch(
      /\n\nUpdate service: manual-upgrade-required \(manual upgrade required: this POP runs 1\.0\.0\.2; .*\)\n\nManual upgrade required: /,
    );
    expect(JSON.parse((await run('version', '--json')).stdout)).toMatchObject({
      updateState: 'manual-upgrade-required',
      updateMessage: message,
    });
  });

  it('version: a POP below the minimum for automatic upgrade is told to upgrade by hand with the new package', async () => {
    body = {
      ...popStatusFixture(),
      version: 'v1.0.0.2',
      update: {
        state: 'manual-upgrade-required',
        running: 'v1.0.0.2',
        available: 'v1.0.0.4',
        minAutoUpgradeVersion: 'v1.0.0.3',
        message: 'manual upgrade required',
      },
    };
    const line =
      'Manual upgrade required: this POP runs v1.0.0.2 and release v1.0.0.4 is offered, which upgrades itself only from v1.0.0.3 on. Upgrade this POP by hand: install the new package (PoPDeployment.tar) with its infra.sh.';
    const shown = (await run('version')).stdout;
    expect(shown.split('\n').slice(0, 2)).toEqual(['POP release: v1.0.0.2', '']);
    expect(shown.endsWith(`\n\n${line}`)).toBe(true);
    expect(JSON.parse((await run('version', '--json')).stdout)).toMatchObject({
      release: 'v1.0.0.2',
      available: 'v1.0.0.4',
      manualUpgrade: {
        running: 'v1.0.0.2',
        offered: 'v1.0.0.4',
        minAutoUpgradeVersion: 'v1.0.0.3',
        text: line,
      },
    });
    // Any other state: no such line, and null in --json.
    body = { ...popStatusFixture(), update: { state: 'up-to-date', available: 'v1.0.0.4' } };
    expect((await run('version')).stdout).not.toContain('Manual upgrade');
    expect(JSON.parse((await run('version', '--json')).stdout).manualUpgrade).toBeNull();
  });

  it('tunnels: one aligned line per tunnel', async () => {
    const r = await run('tunnels');
    expect(r.stdout.split('\n')).toEqual([
      'TUNNEL  GATEWAY  REMOTE                  PHASE         SINCE       ADDRESS     RECONNECTS       IN      OUT  LAST ERROR',
      't1      eu-gw1   192.0.2.10:1194/udp     connected     1h 59m ago  10.231.1.5           1  1.5 MiB  2.0 KiB  -',
      't2      eu-gw2   [2001:db8::20]:443/tcp  reconnecting  10s ago     -                    3      0 B      0 B  connection reset',
    ]);
    expect(JSON.parse((await run('tunnels', '--json')).stdout)).toHaveLength(2);
  });

  it('apps: one line per app and one per server that is down', async () => {
    const r = await run('apps');
    expect(r.stdout.split('\n')).toEqual([
      'APP            ADDRESS        STATUS     SERVERS UP  SINCE       ERROR',
      'Wiki           wiki.corp:443  up         1/1         1h 58m ago',
      'Git            [fd00::7]:22   unhealthy  1/2         1h 0m ago',
      '  10.1.0.8:22                 down                   1s ago      connection refused',
      'New            new.corp:80    unknown    0/0         -',
    ]);
  });

  it('tolerates missing fields (an older pop-manager) and unknown ones (a newer one)', async () => {
    body = { services: [{ name: 'connector', since: 'later' }], shards: 3 };
    const r = await run('status');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/connector\s+unknown/);
    expect((await run('tunnels')).stdout).toBe('No tunnel reported.');
    expect((await run('apps')).stdout).toBe('No app in the catalog.');
  });

  it('a field of the wrong type: exit 69 naming the field', async () => {
    body = { ...popStatusFixture(), tunnels: 'nope' };
    const r = await run('status');
    expect(r.code).toBe(69);
    expect(r.stderr).toBe(
      'pa-operator: pop-manager /status answered a bad tunnels: Expected array',
    );
    body = { services: [{ name: 'connector' }, 'junk'] };
    expect((await run('tunnels')).stderr).toMatch(
      /^pa-operator: pop-manager \/status answered a bad services\/1: Expected object$/,
    );
  });

  it('an error answer or a body that is not JSON: one line naming the service, exit 69', async () => {
    status = 503;
    body = { error: { code: 'not_ready', message: 'redis unreachable' } };
    const r = await run('status');
    expect(r.code).toBe(69);
    expect(r.stderr).toBe(
      `pa-operator: pop-manager at ${pm.url}/status answered HTTP 503: redis unreachable`,
    );
    status = 200;
    body = [1, 2];
    expect((await run('tunnels')).stderr).toBe(
      'pa-operator: pop-manager /status is not a JSON object',
    );
  });

  it('pop-manager unreachable: one line naming it and the setting, exit 69', async () => {
    const port = await freePort();
    const r = await runInProcess(['status'], { PA_POP_MANAGER_URL: `http://127.0.0.1:${port}` });
    expect(r).toEqual({
      code: 69,
      stdout: '',
      stderr: `pa-operator: pop-manager is not reachable at http://127.0.0.1:${port}/status (connection refused); check that it runs and PA_POP_MANAGER_URL`,
    });
  });

  it('a bad URL setting: exit 78 naming it', async () => {
    const r = await runInProcess(['apps'], { PA_POP_MANAGER_URL: 'ftp://x' });
    expect(r.code).toBe(78);
    expect(r.stderr).toBe(
      'pa-operator: PA_POP_MANAGER_URL: ftp://x must start with http:// or https://',
    );
  });
});
