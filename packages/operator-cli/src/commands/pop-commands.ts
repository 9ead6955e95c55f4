import { ExitCode } from '@pa-connector/config';
import { type CliContext, popManager, REQUEST_TIMEOUT_MS } from '../context';
import { getJson } from '../http/get-json';
import { type PopStatus, readPopStatus } from '../pop-status';
import { connectorReady } from './connector-ready';
import { fetchGroup, groupLine } from './group-view';
import { renderApps, renderStatus, renderTunnels, renderVersion, versionJson } from './pop-views';

async function fetchStatus(ctx: CliContext): Promise<{ raw: unknown; status: PopStatus }> {
  const { body } = await getJson(popManager(ctx.env), '/status', { timeoutMs: REQUEST_TIMEOUT_MS });
  return { raw: body, status: readPopStatus(body) };
}

const json = (v: unknown) => JSON.stringify(v, null, 2);

/**
 * `status [--json]`: --json prints pop-manager's /status as it came, with the connector's
 * `draining` (null when unknown) and its `group` as the cloud reports it (null, and `groupError`
 * saying why, when it could not be asked); the human view adds the connector's own readiness,
 * whether it drains and its group.
 */
export async function statusCommand(ctx: CliContext, o: { json: boolean }): Promise<number> {
  const { raw, status } = await fetchStatus(ctx);
  const [ready, group] = await Promise.all([connectorReady(ctx), fetchGroup(ctx)]);
  if (o.json) {
    ctx.out(
      json({
        ...(raw as object),
        draining: ready.draining ?? null,
        group: 'group' in group ? group.group : null,
        ...('error' in group ? { groupError: group.error } : {}),
      }),
    );
    return ExitCode.ok;
  }
  const self = { id: ready.connectorId, hostname: status.hostname };
  ctx.out(
    renderStatus(status, ctx.now(), {
      ready: ready.line,
      draining: ready.draining === undefined ? 'unknown' : ready.draining ? 'yes' : 'no',
      group: 'group' in group ? groupLine(group.group, self) : `unknown: ${group.error}`,
    }),
  );
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
