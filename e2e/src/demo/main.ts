import { lstatSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ExitCode } from '@pa-connector/config';
import { getJson, SIDE_SERVICES, type Stack, startStack } from '../stack';

/**
 * The local demo, the real thing: Redis, the cloud emulator with two gateways in their own
 * network namespaces, a sample HTTP app (two servers, each in its own namespace), the connector
 * enrolled with a one-use key and holding two tunnels, and the other POP services. It makes one
 * request through the gateways' user ingress to prove the path, prints how to do the same with
 * curl and how to run `pa_connector.sh status` against it, then runs until Ctrl-C and removes
 * everything it created. `--once` runs the same checks and exits (0 when all is well, else 1).
 */

const ROOT = resolve(__dirname, '../../..');

interface Options {
  once: boolean;
  transport: 'udp' | 'tcp';
}

function parseArgs(argv: string[]): Options {
  const o: Options = { once: false, transport: 'udp' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--once') o.once = true;
    else if (a === '--tcp') o.transport = 'tcp';
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        [
          'usage: pnpm demo [--once] [--tcp]   (as root: namespaces, tun devices, openvpn)',
          '  --once  check that everything came up and a request gets through, then clean up and exit',
          '  --tcp   gateways on TCP instead of UDP',
          '',
        ].join('\n'),
      );
      process.exit(ExitCode.ok);
    } else {
      process.stderr.write(`demo: unknown option ${a} (try --help)\n`);
      process.exit(ExitCode.usage);
    }
  }
  return o;
}

const say = (line = '') => process.stdout.write(`${line}\n`);
const step = (n: number, text: string) => say(`[${n}] ${text}`);

/** A check of --once: printed as it passes; a failure is collected and makes the exit code 1. */
class Checks {
  readonly failed: string[] = [];
  check(ok: boolean, what: string): void {
    if (!ok) {
      this.failed.push(what);
      say(`      CHECK FAILED: ${what}`);
    }
  }
}

function listFiles(dir: string, prefix = ''): Array<{ line: string; mode: number; dir: boolean }> {
  const out: Array<{ line: string; mode: number; dir: boolean }> = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const st = lstatSync(path);
    const mode = st.mode & 0o777;
    const m = mode.toString(8).padStart(4, '0');
    if (st.isSymbolicLink()) {
      // The current identity is a link to its directory (listed on its own).
      out.push({ line: `link  ${prefix}${name} -> ${readlinkSync(path)}`, mode, dir: true });
    } else if (st.isDirectory()) {
      out.push({ line: `${m}  ${prefix}${name}/`, mode, dir: true });
      out.push(...listFiles(path, `${prefix}${name}/`));
    } else out.push({ line: `${m}  ${prefix}${name}`, mode, dir: false });
  }
  return out;
}

/** The env file `pa_connector.sh` reads (PA_CONNECTOR_ENV), pointing at this demo's services. */
function writeOperatorEnv(stack: Stack): string {
  const file = join(stack.runDir, 'pa_connector.env');
  const lines = [
    '# pa_connector.sh settings for this demo run (PA_CONNECTOR_ENV points here)',
    `PA_POP_MANAGER_URL=${stack.services['pop-manager']?.url ?? ''}`,
    `PA_LOGGING_URL=${stack.services.logging?.url ?? ''}`,
    `PA_CONNECTOR_URL=${stack.connector.url}`,
    `PA_SSE_URLS=${stack.emulator.sseUrl}`,
    `PA_SSE_CA_FILE=${stack.emulator.caCertPath}`,
    `PA_DATA_DIR=${stack.connector.dataDir}`,
    `PA_OPERATOR_CLI=${join(ROOT, 'packages/operator-cli/dist/cli.js')}`,
  ];
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}

async function show(stack: Stack, checks: Checks): Promise<void> {
  // Tunnels.
  const tunnels = await stack.tunnels();
  const up = Object.values(tunnels).filter((t) => t.phase === 'connected');
  step(2, `tunnels: ${up.length} of ${Object.keys(tunnels).length} up`);
  for (const [name, t] of Object.entries(tunnels)) {
    say(
      `      ${name}  ${t.phase.padEnd(10)} gateway ${t.gateway} (${t.remote})  tunnel address ${t.localAddress ?? '-'} <-> ${t.remoteAddress ?? '-'}`,
    );
  }
  checks.check(up.length === 2, 'both tunnels up');

  // Every service's /ready.
  step(3, 'every service is ready:');
  for (const s of [stack.connector, ...SIDE_SERVICES.map((n) => stack.services[n])]) {
    if (!s) continue;
    const ready = await getJson(`${s.url}/ready`).catch((err: Error) => ({
      status: 0,
      body: err.message,
    }));
    const health = await getJson(`${s.url}/healthz`).catch(() => ({ status: 0, body: {} }));
    const version = String((health.body as { version?: string } | undefined)?.version ?? '?');
    say(
      `      ${s.name.padEnd(12)} /ready ${ready.status}  version ${version}  pid ${s.process.pid}  ${s.url}`,
    );
    checks.check(ready.status === 200, `${s.name} /ready 200`);
  }

  // What enrollment left on disk.
  step(4, `identity in ${stack.connector.dataDir}:`);
  for (const f of listFiles(stack.connector.dataDir)) {
    say(`      ${f.line}`);
    checks.check(f.dir || f.mode === 0o600, `${f.line.slice(6)} is 0600`);
  }

  // What the cloud sees.
  const connectors = await stack.admin<Array<{ id: string; hostname: string; region: string }>>(
    'GET',
    '/admin/connectors',
  );
  step(5, 'what the cloud sees:');
  for (const c of connectors)
    say(`      the cloud sees connector ${c.id} (hostname ${c.hostname}, region ${c.region})`);
  const gateways = await stack.admin<
    Array<{
      name: string;
      host: string;
      port: number;
      protocol: string;
      running: boolean;
      clients: unknown[] | null;
    }>
  >('GET', '/admin/gateways');
  for (const g of gateways) {
    say(
      `      gateway ${g.name} ${g.host}:${g.port}/${g.protocol} ${g.running ? 'running' : 'DOWN'}, ${g.clients?.length ?? 0} tunnel(s) connected`,
    );
  }
  checks.check(
    connectors.some((c) => c.id === stack.connector.connectorId),
    'the cloud lists the connector',
  );

  // One request through the ingress, as a user would.
  const app = stack.apps.web;
  step(6, `a user request through the gateway ingress: CONNECT ${app.address}, then GET /`);
  const answer = await stack.request('/');
  if (answer.connectStatus === 200) {
    say(
      `      HTTP ${answer.status} from ${answer.server} in ${answer.ms.toFixed(1)} ms: ${answer.body?.trim()}`,
    );
  } else say(`      refused: ${answer.refusal}`);
  checks.check(
    answer.status === 200 && /^hello from app[12]/.test(answer.body ?? ''),
    'the request through the ingress answered by the sample app',
  );
  const stats = await stack.ingressStats();
  for (const t of stats.tunnels)
    say(`      ingress: tunnel ${t.key} carried ${t.carried} connection(s)`);

  // How the user and the operator can look for themselves.
  const envFile = writeOperatorEnv(stack);
  step(7, 'look for yourself:');
  say(`      curl -p -x ${stack.emulator.ingressUrl} http://${app.address}/`);
  say(
    '        (a user through the gateway: repeat it, the answer alternates between app1 and app2)',
  );
  say(`      PA_CONNECTOR_ENV=${envFile} bash ${join(ROOT, 'pa_connector.sh')} status`);
  say(`      curl -s ${stack.connector.url}/ready`);
  say(`      curl -s ${stack.emulator.adminUrl}/admin/ingress`);
  say(`      curl -s -XPOST ${stack.emulator.adminUrl}/admin/gateways/${stack.gateways[0]}/kill`);
  say('        (then curl the app again: the other tunnel carries it)');
  say(`      tail -f ${stack.runDir}/connector.log`);
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  let stack: Stack | undefined;
  let stopping: Promise<void> | undefined;
  const cleanup = () => {
    stopping ??= (async () => {
      if (!stack) return;
      say('\nstopping: SIGTERM to every process the demo started (by PID)...');
      await stack.stop();
      say(
        `removed network namespaces pa${stack.runId}-* and the bridge link ${stack.topology.root?.link}`,
      );
      say(`removed ${stack.runDir}`);
    })();
    return stopping;
  };
  // Ctrl-C while starting aborts the start (startStack removes what it had made); afterwards it
  // stops the running stack.
  const starting = new AbortController();
  const onSignal = () => {
    if (!stack) {
      starting.abort(new Error('interrupted while starting; everything it had started is removed'));
      return;
    }
    void cleanup().then(() => process.exit(ExitCode.ok));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  step(
    1,
    'starting: network namespaces, Redis, the emulator and its gateways, the sample app, the four services',
  );
  try {
    stack = await startStack({
      services: SIDE_SERVICES,
      transport: opts.transport,
      parentDir: join(ROOT, '.demo'),
      signal: starting.signal,
      progress: (line) => say(`      ${line}`),
    });
  } catch (err) {
    process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
    return starting.signal.aborted ? 0 : 1;
  }
  say(`      processes (by PID): ${stack.pids().join(' ')}`);
  const checks = new Checks();
  try {
    await show(stack, checks);
  } catch (err) {
    checks.failed.push(err instanceof Error ? err.message : String(err));
    process.stderr.write(`demo: ${checks.failed.at(-1)}\n`);
  }
  if (opts.once || checks.failed.length > 0) {
    if (checks.failed.length > 0) say(`\nFAILED: ${checks.failed.join('; ')}`);
    else say('\nall checks passed');
    await cleanup();
    return checks.failed.length > 0 ? ExitCode.failed : ExitCode.ok;
  }
  say('\nready: the demo runs until Ctrl-C, which stops everything and removes what it created.');
  await new Promise(() => {});
  return ExitCode.ok;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`demo: ${String(err)}\n`);
    process.exit(ExitCode.failed);
  },
);
