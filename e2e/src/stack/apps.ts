import { resolve } from 'node:path';
import type { Topology } from '@pa-connector/test-support';
import { type LoggedProcess, startLogged } from './logged-process';
import type { StackRun } from './stack-run';
import type { StackApp } from './stack-types';

const APP_PORT = 8080;

/**
 * The built sample app (programs/sample-app.ts compiled by tsc). Resolved from the package root,
 * so the same file is found whether this module runs from dist/ or, in tests, from src/.
 */
const SAMPLE_APP_PATH = resolve(
  __dirname,
  '..',
  '..',
  'dist',
  'stack',
  'programs',
  'sample-app.js',
);

/** The sample app servers, one per app namespace, by number. */
export interface AppServers {
  start(n: 1 | 2): Promise<void>;
  stop(n: 1 | 2): Promise<void>;
}

export function appServers(run: StackRun, topo: Topology): AppServers {
  const running = new Map<number, LoggedProcess>();
  return {
    async start(n) {
      const name = `app${n}`;
      const p = startLogged(run.runDir, name, run.ip, [
        ...['netns', 'exec', topo.host(name).netns, process.execPath, SAMPLE_APP_PATH],
        ...[name, String(APP_PORT)],
      ]);
      run.procs.push(p);
      running.set(n, p);
      await p.waitForLine(/^listening$/, 15_000);
    },
    async stop(n) {
      await running.get(n)?.stop();
    },
  };
}

/** `web` on both app servers over IPv4, `web6` on app1 over IPv6. */
export function stackApps(topo: Topology): { web: StackApp; web6: StackApp } {
  const [app1, app2] = [topo.host('app1'), topo.host('app2')];
  return {
    web: {
      id: 'web',
      host: 'web.demo.internal',
      port: 80,
      address: 'web.demo.internal:80',
      servers: [
        { name: 'app1', host: app1.ipv4, port: APP_PORT },
        { name: 'app2', host: app2.ipv4, port: APP_PORT },
      ],
    },
    web6: {
      id: 'web6',
      host: 'web6.demo.internal',
      port: 80,
      address: 'web6.demo.internal:80',
      servers: [{ name: 'app1', host: app1.ipv6, port: APP_PORT }],
    },
  };
}

/** The apps as catalog entries: round-robin over their servers, an HTTP health check each. */
export function catalogEntries(apps: { web: StackApp; web6: StackApp }): unknown[] {
  const entry = (app: StackApp, name: string) => ({
    id: app.id,
    name,
    host: app.host,
    port: app.port,
    servers: app.servers.map((s) => ({ host: s.host, port: s.port })),
    strategy: 'round-robin',
    healthCheck: { type: 'http', path: '/', expectStatus: 200 },
  });
  return [entry(apps.web, 'Sample web app'), entry(apps.web6, 'Sample web app over IPv6')];
}
