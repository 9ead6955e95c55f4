import { readFile } from 'node:fs/promises';
import { ExitCode } from '@pa-connector/config';
import { parseHostPort } from '@pa-connector/sse-api';
import { CliError } from '../cli-error';
import { type CliContext, popManager } from '../context';
import { loadAppServers } from '../diagnose/app-servers';
import { checkRows } from '../diagnose/check-rows';
import { loadGateways } from '../diagnose/gateways';
import { parseNameservers } from '../diagnose/nameservers';
import { describeProfile, resolveProfile, withProfilePorts } from '../diagnose/profile';
import { diagnoseJson, renderDiagnose } from '../diagnose/render';
import { buildRows } from '../diagnose/rows';
import { readConnectionSettings } from '../diagnose/settings';

export interface DiagnoseOptions {
  json: boolean;
  profile?: string;
  ssePort?: string;
  gatewayPort?: string;
  timeout?: string;
  /** Leave out the app servers (and pop-manager, where their list comes from). */
  noApps?: boolean;
}

const DEFAULT_TIMEOUT_MS = 5_000;

function timeoutOf(raw: string | undefined, env: CliContext['env']): number {
  const text = raw ?? env.PA_DIAG_TIMEOUT?.trim();
  if (text === undefined || text === '') return DEFAULT_TIMEOUT_MS;
  const m = /^(\d+)(ms|s)?$/.exec(text);
  const n = m ? Number(m[1]) * (m[2] === 'ms' ? 1 : 1000) : Number.NaN;
  if (!(n >= 100 && n <= 120_000)) {
    throw new CliError(
      'usage',
      `${raw !== undefined ? '--timeout' : 'PA_DIAG_TIMEOUT'} must be a duration from 100ms to 120s such as 5s or 800ms, got ${JSON.stringify(text)}`,
    );
  }
  return n;
}

async function readResolvConf(path: string): Promise<string[]> {
  try {
    return parseNameservers(await readFile(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new CliError('config', `cannot read ${path} (${(err as NodeJS.ErrnoException).code})`, {
      cause: err,
    });
  }
}

/**
 * `diagnose`: the firewall table of `docs/firewall.md` with this POP's values, then the other
 * checks (host, proxy, gateways, apps), each row checked live. Exit 1 on a failed required row.
 */
export async function diagnoseCommand(ctx: CliContext, o: DiagnoseOptions): Promise<number> {
  const profile = resolveProfile(o, ctx.env);
  const timeoutMs = timeoutOf(o.timeout, ctx.env);
  // The flag's profile is the cloud's profile: the endpoints derive from it as the connector's do.
  const read = await readConnectionSettings({ ...ctx.env, PA_CLOUD_PROFILE: profile.name });
  const gatewayPortWritten = parseHostPort(ctx.env.PA_GATEWAY ?? '')?.port !== undefined;
  const settings = {
    ...read,
    endpoints: withProfilePorts(read.endpoints, profile, gatewayPortWritten),
  };
  const gateways = await loadGateways(ctx.env);
  const resolvConf = ctx.env.PA_DIAG_RESOLV_CONF?.trim() || '/etc/resolv.conf';
  const nameservers = await readResolvConf(resolvConf);
  const appServers = o.noApps ? undefined : await loadAppServers(popManager(ctx.env), timeoutMs);
  const rows = buildRows({ settings, gateways, appServers, profile, nameservers });
  const checked = await checkRows(rows, {
    timeoutMs,
    sseCa: settings.sseCa,
    proxy: settings.proxy,
    nameservers,
    resolvConf,
    tz: ctx.env.TZ,
    localtime: ctx.env.PA_DIAG_LOCALTIME?.trim() || '/etc/localtime',
  });
  const report = {
    profile: describeProfile(profile),
    profileSettings: profile,
    proxy: settings.proxy?.origin ?? null,
    noProxy: settings.noProxy.entries,
    gatewaysSource: gateways.source,
    appsSource: appServers?.source ?? 'not asked for (--no-apps)',
    rows: checked,
  };
  ctx.out(o.json ? JSON.stringify(diagnoseJson(report), null, 2) : renderDiagnose(report));
  return checked.some((r) => r.result === 'fail') ? ExitCode.failed : ExitCode.ok;
}
