import { CliError } from '../cli-error';
import { type CliContext, connector, REQUEST_TIMEOUT_MS } from '../context';
import { getJson } from './get-json';

/**
 * The Authorization header of the connector's internal API: the shared secret the POP's services
 * use, read from the file PA_INTERNAL_API_TOKEN_FILE names (never from the command line).
 */
async function authorization(ctx: CliContext): Promise<Record<string, string>> {
  const file = ctx.env.PA_INTERNAL_API_TOKEN_FILE?.trim();
  if (!file) return {};
  let token: string;
  try {
    token = (await ctx.readFile(file)).trim();
  } catch (err) {
    throw new CliError(
      'config',
      `PA_INTERNAL_API_TOKEN_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  if (!token) throw new CliError('config', `PA_INTERNAL_API_TOKEN_FILE: ${file} is empty`);
  return { authorization: `Bearer ${token}` };
}

/** One call to the connector's internal API (PA_CONNECTOR_URL); failures as getJson's. */
export async function connectorApi(
  ctx: CliContext,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<unknown> {
  const headers = await authorization(ctx);
  const r = await getJson(connector(ctx.env), path, {
    timeoutMs: REQUEST_TIMEOUT_MS,
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  return r.body;
}
