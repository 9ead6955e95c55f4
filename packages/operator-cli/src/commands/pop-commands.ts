import { ExitCode } from '@pa-connector/config';
import { type CliContext, popManager, REQUEST_TIMEOUT_MS } from '../context';
import { getJson } from '../http/get-json';
import { type PopStatus, readPopStatus } from '../pop-status';
import { connectorReadyLine } from './connector-ready';
import { renderApps, renderStatus, renderTunnels, renderVersion, versionJson } from './pop-views';

async function fetchStatus(ctx: CliContext): Promise<{ raw: unknown; status: PopStatus }> {
  const { body } = await getJson(popManager(ctx.env), '/status', { timeoutMs: REQUEST_TIMEOUT_MS });
  return { raw: body, status: readPopStatus(body) };
}

const json = (v: unknown) => JSON.stringify(v, null, 2);

/**
 * `status [--json]`: --json prints pop-manager's /status as it came; the human view adds the
 * connector's own readiness.
 */
export async function statusCommand(ctx: CliContext, o: { json: boolean }): Promise<number> {
  const { raw, status } = await fetchStatus(ctx);
  if (o.json) {
    ctx.out(json(raw));
    return ExitCode.ok;
  }
  ctx.out(renderStatus(status, ctx.now(), await connectorReadyLine(ctx)));
  return ExitCode.ok;
}

export async function versionCommand(ctx: CliContext, o: { json: boolean }): Promise<number> {
  const { status } = await fetchStatus(ctx);
  ctx.out(o.json ? json(versionJson(status)) : renderVersion(status));
  return ExitCode.ok;
}

export async function tunnelsCommand(ctx: CliContext, o: { json: boolean }): Promise<number> {
  const { status } = await fetchStatus(ctx);
  ctx.out(o.json ? json(status.tunnels) : renderTunnels(status, ctx.now()));
  return ExitCode.ok;
}

export async function appsCommand(ctx: CliContext, o: { json: boolean }): Promise<number> {
  const { status } = await fetchStatus(ctx);
  ctx.out(o.json ? json(status.apps) : renderApps(status, ctx.now()));
  return ExitCode.ok;
}
