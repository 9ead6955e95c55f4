import { lstatSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ExitCode } from '@pa-connector/config';
import {
  getJson,
  openvpnChildren,
  SIDE_SERVICES,
  type Stack,
  type StackPop,
  startStack,
} from '../stack';

/**
 * The local demo, the real thing: Redis, the cloud emulator with two gateways in their own
 * network namespaces, a sample HTTP app (two servers, each in its own namespace), the connector
 * enrolled with a one-use key and holding two tunnels, and the other POP services. It makes one
 * request through the gateways' user ingress to prove the path, prints how to do the same with
 * curl and how to run `pa_connector.sh status` against it, then runs until Ctrl-C and removes
 * everything it created. `--once` runs the same checks and exits (0 when all is well, else 1).
 * `--connectors N` runs N POPs enrolled in one group; `--json` prints one JSON object per line
 * for programs that drive the demo (progress, the `ready` line with every address and PID, the
 * checks, `done`).
 */

const ROOT = resolve(__dirname, '../../..');

const MAX_CONNECTORS = 8;

interface Options {
  once: boolean;
  transport: 'udp' | 'tcp';
  connectors: number;
  json: boolean;
}

function usageError(message: string): never {
  process.stderr.write(`demo: ${message} (try --help)\n`);
  process.exit(ExitCode.usage);
}

function parseArgs(argv: string[]): Options {
  const o: Options = { once: false, transport: 'udp', connectors: 1, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--once') o.once = true;
    else if (a === '--tcp') o.transport = 'tcp';
    else if (a === '--json') o.json = true;
    else if (a === '--connectors' || a?.startsWith('--connectors=')) {
      const v = a === '--connectors' ? argv[++i] : a.slice('--connectors='.length);
      if (v === undefined) usageError('--connectors needs a number');
      if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > MAX_CONNECTORS) {
        usageError(
          `--connectors must be a whole number from 1 to ${MAX_CONNECTORS}, not ${JSON.stringify(v)}`,
        );
      }
      o.connectors = Number(v);
    } else if (a === '--help' || a === '-h') {
      process.stdout.write(
        [
          'usage: pnpm demo [--once] [--tcp] [--connectors N] [--json]   (as root: namespaces, tun devices, openvpn)',
          '  --once          check that everything came up and a request gets through, then clean up and exit',
          '  --tcp           gateways on TCP instead of UDP',
          `  --connectors N  run N connector POPs (1 to ${MAX_CONNECTORS}, default 1) enrolled in one group`,
          '  --json          one JSON object per line: {"event":"progress"|"ready"|"check"|"done"|"error",...}',
          '',
        ].join('\n'),
      );
      process.exit(ExitCode.ok);
    } else usageError(`unknown option ${a}`);
  }
  return o;
}

/**
 * Where the demo's output goes: lines for a person (the default), or with `--json` one JSON
 * object per line (`progress` for each of those lines, `check`, `ready`, `done`, `error`).
 */
class Output {
  constructor(readonly json: boolean) {}
  private emit(event: string, fields: Record<string, unknown>): void {
    process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`);
  }
  say(line = ''): void {
    if (this.json) this.emit('progress', { line });
    else process.stdout.write(`${line}\n`);
  }
  step(n: number, text: string): void {
    this.say(`[${n}] ${text}`);
  }
  check(what: string, ok: boolean): void {
    if (this.json) this.emit('check', { what, ok });
    else if (!ok) this.say(`      CHECK FAILED: ${what}`);
  }
  ready(fields: Record<string, unknown>): void {
    if (this.json) this.emit('ready', fields);
  }
  done(ok: boolean): void {
    if (this.json) this.emit('done', { ok });
  }
  error(message: string): void {
    if (this.json) this.emit('error', { message });
    else process.stderr.write(`demo: ${message}\n`);
  }
}

let out = new Output(false);
const say = (line = '') => out.say(line);
const step = (n: number, text: string) => out.step(n, text);

/** A check of --once: a failure is collected and makes the exit code 1. */
class Checks {
  readonly failed: string[] = [];
  check(ok: boolean, what: string): void {
    out.check(what, ok);
    if (!ok) this.failed.push(what);
  }
}

/** What a program driving the demo needs, once everything is up. */
function readyFacts(stack: Stack): Record<string, unknown> {
  return {
    ingressUrl: stack.emulator.ingressUrl,
    adminUrl: stack.emulator.adminUrl,
    apps: [stack.apps.web, stack.apps.web6].map((a) => ({ id: a.id, host: a.host, port: a.port })),
    connectors: stack.pops.map((p) => ({
      id: p.connector.connectorId,
      netns: p.netns,
      readyUrl: `${p.connector.url}/ready`,
      pids: {
        connector: p.connector.process.pid,
        openvpn: openvpnChildren(p.connector.process.pid),
      },
    })),
  };
}

/** `pop2 ` for POP 2 and on; nothing for POP 1, so a one-POP demo reads as it always has. */
function popLabel(stack: Stack, p: StackPop): string {
  return stack.pops.length === 1 ? '' : `pop${p.index} `;
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
  // Tunnels, of each connector.
  if (stack.pops.length > 1) step(2, `tunnels of each of the ${stack.pops.length} connectors:`);
  for (const p of stack.pops) {
    const label = popLabel(stack, p);
    const tunnels = await p.tunnels();
    const up = Object.values(tunnels).filter((t) => t.phase === 'connected');
    const line = `${label}tunnels: ${up.length} of ${Object.keys(tunnels).length} up`;
    if (stack.pops.length === 1) step(2, line);
    else say(`      ${line}`);
    for (const [name, t] of Object.entries(tunnels)) {
      say(
        `      ${name}  ${t.phase.padEnd(10)} gateway ${t.gateway} (${t.remote})  tunnel address ${t.localAddress ?? '-'} <-> ${t.remoteAddress ?? '-'}`,
      );
    }
    checks.check(up.length === 2, `${label}both tunnels up`);
  }

  // Every service's /ready.
  step(3, 'every service is ready:');
  for (const p of stack.pops) {
    const label = popLabel(stack, p);
    for (const s of [p.connector, ...SIDE_SERVICES.map((n) => p.services[n])]) {
      if (!s) continue;
      const ready = await getJson(`${s.url}/ready`).catch((err: Error) => ({
        status: 0,
        body: err.message,
      }));
      const health = await getJson(`${s.url}/healthz`).catch(() => ({ status: 0, body: {} }));
      const version = String((health.body as { version?: string } | undefined)?.version ?? '?');
      say(
        `      ${`${label}${s.name}`.padEnd(12)} /ready ${ready.status}  version ${version}  pid ${s.process.pid}  ${s.url}`,
      );
      checks.check(ready.status === 200, `${label}${s.name} /ready 200`);
    }
  }

  // What enrollment left on disk.
  for (const p of stack.pops) {
    step(4, `${popLabel(stack, p)}identity in ${p.connector.dataDir}:`);
    for (const f of listFiles(p.connector.dataDir)) {
      say(`      ${f.line}`);
      checks.check(f.dir || f.mode === 0o600, `${f.line.slice(6)} is 0600`);
    }
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
  for (const p of stack.pops) {
    checks.check(
      connectors.some((c) => c.id === p.connector.connectorId),
      `the cloud lists the connector ${popLabel(stack, p)}`.trim(),
    );
  }

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
  out = new Output(opts.json);
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
    opts.connectors === 1
      ? 'starting: network namespaces, Redis, the emulator and its gateways, the sample app, the four services'
      : `starting: network namespaces, the emulator and its gateways, the sample app, ${opts.connectors} POPs each with its Redis and the four services`,
  );
  try {
    stack = await startStack({
      connectors: opts.connectors,
      services: SIDE_SERVICES,
      transport: opts.transport,
      parentDir: join(ROOT, '.demo'),
      signal: starting.signal,
      progress: (line) => say(`      ${line}`),
    });
  } catch (err) {
    out.error(err instanceof Error ? err.message : String(err));
    if (!starting.signal.aborted) out.done(false);
    return starting.signal.aborted ? 0 : 1;
  }
  say(`      processes (by PID): ${stack.pids().join(' ')}`);
  out.ready(readyFacts(stack));
  const checks = new Checks();
  try {
    await show(stack, checks);
  } catch (err) {
    checks.failed.push(err instanceof Error ? err.message : String(err));
    out.error(checks.failed.at(-1) as string);
  }
  if (opts.once || checks.failed.length > 0) {
    if (checks.failed.length > 0) say(`\nFAILED: ${checks.failed.join('; ')}`);
    else say('\nall checks passed');
    await cleanup();
    out.done(checks.failed.length === 0);
    return checks.failed.length > 0 ? ExitCode.failed : ExitCode.ok;
  }
  say('\nready: the demo runs until Ctrl-C, which stops everything and removes what it created.');
  await new Promise(() => {});
  return ExitCode.ok;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    out.error(String(err));
    process.exit(ExitCode.failed);
  },
);
