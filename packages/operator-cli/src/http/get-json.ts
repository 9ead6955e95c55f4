import { CliError } from '../cli-error';

export interface Endpoint {
  /** Which POP service answers there, for messages: `pop-manager`. */
  service: string;
  /** The setting the base URL came from, for messages: `PA_POP_MANAGER_URL`. */
  setting: string;
  baseUrl: string;
}

/** Why a request did not get an answer, in a few words (`connection refused`). */
export function networkReason(err: unknown): string {
  const cause = (err as { cause?: unknown })?.cause ?? err;
  const code = (cause as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route to host';
    case 'ECONNRESET':
      return 'connection reset';
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return 'connection timed out';
    default:
      if ((err as Error)?.name === 'TimeoutError' || (err as Error)?.name === 'AbortError') {
        return 'no answer in time';
      }
      return code ?? (cause as Error)?.message ?? String(cause);
  }
}

/** `base` + `path` (+ query); a base that is not an http(s) URL is a config error naming it. */
export function endpointUrl(
  ep: Endpoint,
  path: string,
  query: Record<string, string | undefined> = {},
): URL {
  let url: URL;
  try {
    url = new URL(path, ep.baseUrl.endsWith('/') ? ep.baseUrl : `${ep.baseUrl}/`);
  } catch {
    throw new CliError('config', `${ep.setting}: ${JSON.stringify(ep.baseUrl)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(
      'config',
      `${ep.setting}: ${ep.baseUrl} must start with http:// or https://`,
    );
  }
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
  return url;
}

/** Prefers the service's own `{error:{message}}` over the bare status. */
function answerProblem(status: number, body: string): string {
  try {
    const m = (JSON.parse(body) as { error?: { message?: unknown } }).error?.message;
    if (typeof m === 'string' && m) return `HTTP ${status}: ${m}`;
  } catch {}
  return `HTTP ${status}`;
}

/**
 * GETs JSON from a POP service (or sends another method, with `body` as JSON). Unreachable, a
 * non-2xx status (unless listed in `accept`) or a body that is not JSON is a CliError whose
 * message names the service and the URL.
 */
export async function getJson(
  ep: Endpoint,
  path: string,
  o: {
    timeoutMs: number;
    query?: Record<string, string | undefined>;
    accept?: number[];
    method?: 'GET' | 'POST' | 'DELETE';
    body?: unknown;
    headers?: Record<string, string>;
  },
): Promise<{ status: number; body: unknown }> {
  const url = endpointUrl(ep, path, o.query);
  const shown = `${url.origin}${url.pathname}`;
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      method: o.method ?? 'GET',
      signal: AbortSignal.timeout(o.timeoutMs),
      headers: {
        accept: 'application/json',
        ...(o.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...o.headers,
      },
      ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }),
    });
    text = await res.text();
  } catch (err) {
    throw new CliError(
      'unreachable',
      `${ep.service} is not reachable at ${shown} (${networkReason(err)}); check that it runs and ${ep.setting}`,
      { cause: err },
    );
  }
  if (!res.ok && !(o.accept ?? []).includes(res.status)) {
    throw new CliError(
      'bad_answer',
      `${ep.service} at ${shown} answered ${answerProblem(res.status, text)}`,
    );
  }
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch (err) {
    throw new CliError(
      'bad_answer',
      `${ep.service} at ${shown} answered something that is not JSON`,
      {
        cause: err,
      },
    );
  }
}
