import { ExitCode } from '@pa-connector/config';
import { DrainState, InternalApiRoutes } from '@pa-connector/sse-api';
import { CliError } from '../cli-error';
import type { CliContext } from '../context';
import { answerCheck } from '../http/answer-check';
import { connectorApi } from '../http/connector-api';

const checkDrain = answerCheck(DrainState, 'connector drain');

/** How often the drain's progress is asked. */
const POLL_MS = 1_000;
/** The wait goes on this long past the grace: the connector cuts what is left at the grace. */
const WAIT_MARGIN_S = 15;
/** The largest grace the connector takes (DrainRequest). */
const MAX_GRACE_S = 3600;

const connections = (n: number) => `${n} connection${n === 1 ? '' : 's'}`;

/** `--grace S`: whole seconds, 0 to 3600. */
function graceOf(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) > MAX_GRACE_S) {
    throw new CliError(
      'usage',
      `drain: --grace must be whole seconds from 0 to ${MAX_GRACE_S}, got ${JSON.stringify(v)}`,
    );
  }
  return Number(v);
}

const NEXT_STEPS = [
  'Next:',
  '  - stop the connector now (on a compose install: pa_connector.sh drain does the drain and the stop;',
  '    pa_connector.sh start brings it back), or',
  '  - take it back into service without a restart: pa-operator undrain',
];

/**
 * `drain [--grace S] [--json]`: the connector drains (the gateways send it no new users, its
 * proxy refuses new streams, open ones may finish until the grace); the command shows the open
 * connections until none is left or the grace has passed, then what to do next. The connector
 * keeps running, draining. --json prints the last DrainState only. Exit 0 once drained, 1 when
 * the wait ended first (interrupted, or no answer that it drained).
 */
export async function drainCommand(
  ctx: CliContext,
  o: { json: boolean; grace: string | undefined },
): Promise<number> {
  const grace = graceOf(o.grace);
  let state = checkDrain(
    await connectorApi(
      ctx,
      'POST',
      InternalApiRoutes.drain,
      grace === undefined ? {} : { graceSeconds: grace },
    ),
  );
  const started = ctx.now().getTime();
  const deadline = started + ((grace ?? MAX_GRACE_S) + WAIT_MARGIN_S) * 1000;
  if (!o.json) {
    ctx.out(
      `Draining${grace === undefined ? '' : ` (grace ${grace}s)`}: the gateways send no new users to this connector; new connections are refused.`,
    );
  }
  let shown: number | undefined;
  while (!state.drained && !ctx.signal.aborted && ctx.now().getTime() < deadline) {
    if (!o.json && state.openConnections !== shown) {
      shown = state.openConnections;
      ctx.out(`  ${connections(shown)} open`);
    }
    await ctx.sleep(POLL_MS);
    if (ctx.signal.aborted) break;
    state = checkDrain(await connectorApi(ctx, 'GET', InternalApiRoutes.drain));
  }
  if (o.json) {
    ctx.out(JSON.stringify(state, null, 2));
    return state.drained ? ExitCode.ok : ExitCode.failed;
  }
  if (!state.drained) {
    ctx.out(
      `Not drained yet: ${connections(state.openConnections)} still open. The connector goes on draining; ask again with pa-operator drain.`,
    );
    return ExitCode.failed;
  }
  ctx.out(
    `Drained: ${state.openConnections === 0 ? 'no connection left open' : connections(state.openConnections)}. The connector keeps running, draining.`,
  );
  ctx.out(NEXT_STEPS.join('\n'));
  return ExitCode.ok;
}

/** `undrain [--json]`: back in service; refused while the connector stops. */
export async function undrainCommand(ctx: CliContext, o: { json: boolean }): Promise<number> {
  const state = checkDrain(await connectorApi(ctx, 'DELETE', InternalApiRoutes.drain));
  if (o.json) ctx.out(JSON.stringify(state, null, 2));
  else ctx.out('Back in service: the gateways send users to this connector again.');
  return ExitCode.ok;
}
