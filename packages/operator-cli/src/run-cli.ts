import { ExitCode } from '@pa-connector/config';
import { type ParsedArgs, parseArgs, USAGE } from './args';
import { CliError } from './cli-error';
import { diagnoseCommand } from './commands/diagnose-command';
import { drainCommand, undrainCommand } from './commands/drain-command';
import { logsCommand } from './commands/logs-command';
import {
  appsCommand,
  statusCommand,
  tunnelsCommand,
  versionCommand,
} from './commands/pop-commands';
import type { CliContext } from './context';

function intOf(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v))
    throw new CliError('usage', `--${name} must be a whole number, got ${JSON.stringify(v)}`);
  return Number(v);
}

async function dispatch(ctx: CliContext, a: ParsedArgs): Promise<number> {
  const json = a.flags.has('json');
  switch (a.command) {
    case 'help':
      ctx.out(USAGE);
      return ExitCode.ok;
    case 'status':
      return statusCommand(ctx, { json });
    case 'version':
      return versionCommand(ctx, { json });
    case 'tunnels':
      return tunnelsCommand(ctx, { json });
    case 'apps':
      return appsCommand(ctx, { json });
    case 'logs':
      return logsCommand(ctx, {
        json,
        follow: a.flags.has('follow'),
        service: a.values.get('service'),
        level: a.values.get('level'),
        limit: intOf(a.values.get('limit'), 'limit'),
        since: a.values.get('since'),
      });
    case 'drain':
      return drainCommand(ctx, { json, grace: a.values.get('grace') });
    case 'undrain':
      return undrainCommand(ctx, { json });
    case 'diagnose':
      return diagnoseCommand(ctx, {
        json,
        profile: a.values.get('profile'),
        ssePort: a.values.get('sse-port'),
        gatewayPort: a.values.get('gateway-port'),
        timeout: a.values.get('timeout'),
        noApps: a.flags.has('no-apps'),
      });
  }
}

/**
 * Runs one command line and returns the exit code. Every failure is one line on stderr
 * (`pa-operator: ...`); usage errors add the usage text.
 */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  try {
    return await dispatch(ctx, parseArgs(argv));
  } catch (err) {
    if (err instanceof CliError) {
      ctx.err(`pa-operator: ${err.message}`);
      if (err.code === 'usage') ctx.err(USAGE);
      return err.exitCode;
    }
    ctx.err(`pa-operator: unexpected error: ${(err as Error)?.stack ?? String(err)}`);
    return ExitCode.software;
  }
}
