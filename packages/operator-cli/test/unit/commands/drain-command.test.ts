import type { IncomingMessage } from 'node:http';
import { InternalApiRoutes } from '@pa-connector/sse-api';
import { NOW, popStatusFixture } from '../../support/pop-status-fixture';
import { runInProcess } from '../../support/run-in-process';
import { type StandIn, sendJson, standIn } from '../../support/stand-in-server';

const SINCE = '2026-03-01T12:00:00.000Z';

interface Asked {
  method: string | undefined;
  url: string | undefined;
  body: string;
  authorization: string | undefined;
}

async function body(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

/** A stand-in connector (and pop-manager) whose drain states are `states`, one per request. */
async function connector(o: {
  states?: Array<{ openConnections: number; drained: boolean }>;
  deleteStatus?: number;
  group?: unknown;
  draining?: boolean;
}) {
  const asked: Asked[] = [];
  const states = [...(o.states ?? [])];
  const server = await standIn((req, res) => {
    void body(req).then((text) => {
      asked.push({
        method: req.method,
        url: req.url,
        body: text,
        authorization: req.headers.authorization,
      });
      if (req.url === InternalApiRoutes.drain && req.method === 'DELETE') {
        if (o.deleteStatus === 409) {
          return sendJson(res, 409, {
            error: {
              code: 'stopping',
              message: 'the connector is stopping; its drain cannot be undone',
            },
          });
        }
        return sendJson(res, 200, { draining: false, openConnections: 0, drained: false });
      }
      if (req.url === InternalApiRoutes.drain) {
        const next = states.length > 1 ? states.shift() : states[0];
        return sendJson(res, req.method === 'POST' ? 202 : 200, {
          draining: true,
          since: SINCE,
          ...next,
        });
      }
      if (req.url === InternalApiRoutes.group) {
        return o.group === undefined
          ? sendJson(res, 502, {
              error: { code: 'sse_unavailable', message: 'the SSE keeps failing: timeout' },
            })
          : sendJson(res, 200, o.group);
      }
      if (req.url === '/status') return sendJson(res, 200, popStatusFixture());
      if (req.url === '/ready') {
        return sendJson(res, o.draining ? 503 : 200, {
          service: 'connector',
          ready: !o.draining,
          checks: {
            enrolled: { ok: true, detail: { connectorId: 'con_1' } },
            accepting: { ok: !o.draining },
          },
          draining: o.draining ?? false,
        });
      }
      sendJson(res, 404, {});
    });
  });
  return { server, asked };
}

describe('drain, undrain and the group in status (against a stand-in connector)', () => {
  let c: { server: StandIn; asked: Asked[] } | undefined;
  afterEach(async () => {
    await c?.server.close();
    c = undefined;
  });

  const run = (argv: string[], env: Record<string, string> = {}, sleeps: number[] = []) =>
    runInProcess(
      argv,
      { PA_CONNECTOR_URL: c?.server.url, PA_POP_MANAGER_URL: c?.server.url, ...env },
      {
        now: NOW,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        readFile: async (path) => {
          if (path === '/run/secrets/internal_api_token') return 'tok-1\n';
          throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
        },
      },
    );

  it('drain: POSTs the grace, shows the open connections until drained, then what to do next', async () => {
    c = await connector({
      states: [
        { openConnections: 3, drained: false },
        { openConnections: 1, drained: false },
        { openConnections: 0, drained: true },
      ],
    });
    const sleeps: number[] = [];
    const r = await run(
      ['drain', '--grace', '30'],
      { PA_INTERNAL_API_TOKEN_FILE: '/run/secrets/internal_api_token' },
      sleeps,
    );
    expect(r.code).toBe(0);
    expect(c.asked[0]).toEqual({
      method: 'POST',
      url: InternalApiRoutes.drain,
      body: '{"graceSeconds":30}',
      authorization: 'Bearer tok-1',
    });
    expect(c.asked.slice(1).map((a) => a.method)).toEqual(['GET', 'GET']);
    expect(sleeps).toEqual([1000, 1000]);
    expect(r.stdout).toBe(
      [
        'Draining (grace 30s): the gateways send no new users to this connector; new connections are refused.',
        '  3 connections open',
        '  1 connection open',
        'Drained: no connection left open. The connector keeps running, draining.',
        'Next:',
        '  - stop the connector now (on a compose install: pa_connector.sh drain does the drain and the stop;',
        '    pa_connector.sh start brings it back), or',
        '  - take it back into service without a restart: pa-operator undrain',
      ].join('\n'),
    );
  });

  it('drain --json: the last DrainState only; a bare drain sends no grace', async () => {
    c = await connector({ states: [{ openConnections: 0, drained: true }] });
    const r = await run(['drain', '--json']);
    expect(r.code).toBe(0);
    expect(c.asked[0]?.body).toBe('{}');
    expect(c.asked[0]?.authorization).toBeUndefined();
    expect(JSON.parse(r.stdout)).toEqual({
      draining: true,
      since: SINCE,
      openConnections: 0,
      drained: true,
    });
  });

  it('drain: a bad grace is a usage error naming it; an unreadable token file names the setting', async () => {
    c = await connector({});
    const bad = await run(['drain', '--grace', '1h']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain(
      'pa-operator: drain: --grace must be whole seconds from 0 to 3600, got "1h"',
    );
    const noFile = await run(['drain'], { PA_INTERNAL_API_TOKEN_FILE: '/absent' });
    expect(noFile.code).toBe(78);
    expect(noFile.stderr).toContain('PA_INTERNAL_API_TOKEN_FILE: cannot read /absent (ENOENT)');
    expect(c.asked).toEqual([]);
  });

  it('undrain: DELETEs the drain; refused during a stop, the reason comes through', async () => {
    c = await connector({});
    const ok = await run(['undrain']);
    expect([ok.code, ok.stdout]).toEqual([
      0,
      'Back in service: the gateways send users to this connector again.',
    ]);
    expect(c.asked.map((a) => [a.method, a.url])).toEqual([['DELETE', InternalApiRoutes.drain]]);
    await c.server.close();
    c = await connector({ deleteStatus: 409 });
    const refused = await run(['undrain']);
    expect(refused.code).toBe(69);
    expect(refused.stderr).toContain(
      'answered HTTP 409: the connector is stopping; its drain cannot be undone',
    );
  });

  it('status: draining yes/no from /ready, the group with its peers and the update slot holder', async () => {
    c = await connector({
      draining: true,
      group: {
        groupId: 'grp_1',
        name: 'east',
        connectors: [
          { id: 'con_1', hostname: 'edge-vm-01', state: 'draining', freshTunnels: 2 },
          { id: 'con_2', hostname: 'edge-vm-02', state: 'active', freshTunnels: 2 },
          { id: 'con_3', hostname: 'edge-vm-03', state: 'silent', freshTunnels: 0 },
        ],
        updateSlot: { connectorId: 'con_2', leaseId: 'l1', expiresAt: '2026-03-01T12:10:00.000Z' },
      },
    });
    const r = await run(['status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      [
        'connector:      not ready: accepting',
        'draining:       yes',
        'group:          east: 2 peers (1 active), update slot held by con_2 (edge-vm-02) until 2026-03-01T12:10:00.000Z',
      ].join('\n'),
    );
    const j = JSON.parse((await run(['status', '--json'])).stdout);
    expect([j.draining, j.group.name, j.groupError]).toEqual([true, 'east', undefined]);
  });

  it('status: the group unknown is one line saying why, the rest still shown', async () => {
    c = await connector({ draining: false });
    const r = await run(['status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      [
        'connector:      ready',
        'draining:       no',
        `group:          unknown: connector at ${c.server.url}/internal/v1/group answered HTTP 502: the SSE keeps failing: timeout`,
      ].join('\n'),
    );
    expect(r.stdout).toContain('SERVICE      STATUS');
  });
});
