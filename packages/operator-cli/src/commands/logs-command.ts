import { ExitCode, LineDecoder } from '@pa-connector/config';
import { LogEntry, LogsAnswer } from '@pa-connector/redis-contracts';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { CliError } from '../cli-error';
import { type CliContext, logging, REQUEST_TIMEOUT_MS } from '../context';
import { answerCheck } from '../http/answer-check';
import { endpointUrl, getJson, networkReason } from '../http/get-json';
import { formatLogLine } from './log-lines';

const checkLogs = answerCheck(LogsAnswer, 'logging /logs');
const logEntry = TypeCompiler.Compile(LogEntry);

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
const SERVICE = /^[a-z0-9][a-z0-9-]{0,31}$/;

export interface LogsOptions {
  follow: boolean;
  json: boolean;
  service?: string;
  level?: string;
  limit?: number;
  since?: string;
}

/** Checks what can be checked here, so a typo is a usage error and not a 400 from the service. */
function checkLogsOptions(o: LogsOptions): void {
  if (o.level !== undefined && !(LOG_LEVELS as readonly string[]).includes(o.level)) {
    throw new CliError(
      'usage',
      `--level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(o.level)}`,
    );
  }
  if (o.service !== undefined) {
    for (const s of o.service.split(',')) {
      if (!SERVICE.test(s)) {
        throw new CliError(
          'usage',
          `--service: ${JSON.stringify(s)} is not a service name (e.g. connector, logging)`,
        );
      }
    }
  }
  // Past lines: 1-10 000 (the search's bound); with -f: 0-1 000 lines of backlog (the tail's).
  const [min, max] = o.follow ? [0, 1_000] : [1, 10_000];
  if (o.limit !== undefined && !(Number.isInteger(o.limit) && o.limit >= min && o.limit <= max)) {
    throw new CliError(
      'usage',
      `--limit must be a whole number from ${min} to ${max}${o.follow ? ' with -f' : ''}`,
    );
  }
  if (o.follow && o.since !== undefined) {
    throw new CliError('usage', '--since applies to past lines only; leave it out with -f');
  }
}

function show(ctx: CliContext, o: LogsOptions, line: string): void {
  if (o.json) {
    ctx.out(line);
    return;
  }
  // A tail line that is not a log entry is shown as it came rather than ending the tail: the
  // operator still sees it, and the lines after it.
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    ctx.out(line);
    return;
  }
  ctx.out(logEntry.Check(v) ? formatLogLine(v) : line);
}

export async function logsCommand(ctx: CliContext, o: LogsOptions): Promise<number> {
  checkLogsOptions(o);
  const ep = logging(ctx.env);
  const query = { service: o.service, level: o.level };
  if (!o.follow) {
    const { status, body } = await getJson(ep, '/logs', {
      timeoutMs: REQUEST_TIMEOUT_MS,
      query: { ...query, limit: String(o.limit ?? 100), since: o.since },
      accept: [400],
    });
    if (status === 400) {
      // The service names the parameter it refused (e.g. a --since it cannot read).
      const message = (body as { error?: { message?: unknown } }).error?.message;
      throw new CliError('usage', `logging refused the query: ${String(message ?? 'HTTP 400')}`);
    }
    const answer = checkLogs(body);
    for (const e of answer.entries) show(ctx, o, JSON.stringify(e));
    if (answer.truncated && !o.json) {
      ctx.err(`(older lines left out; raise --limit, up to 10000)`);
    }
    return ExitCode.ok;
  }
  return follow(
    ctx,
    o,
    endpointUrl(ep, '/logs/tail', { ...query, backlog: String(o.limit ?? 20) }),
  );
}

/** Prints the live tail until the operator stops it (exit 0) or the service ends it (exit 69). */
async function follow(ctx: CliContext, o: LogsOptions, url: URL): Promise<number> {
  const shown = `${url.origin}${url.pathname}`;
  const abort = new AbortController();
  const onStop = () => abort.abort();
  ctx.signal.addEventListener('abort', onStop);
  const connectTimer = setTimeout(() => abort.abort(new Error('timeout')), REQUEST_TIMEOUT_MS);
  try {
    let res: Response;
    try {
      res = await fetch(url, { signal: abort.signal });
    } catch (err) {
      if (ctx.signal.aborted) return ExitCode.ok;
      throw new CliError(
        'unreachable',
        `logging is not reachable at ${shown} (${networkReason(err)}); check that it runs and PA_LOGGING_URL`,
        { cause: err },
      );
    } finally {
      clearTimeout(connectTimer);
    }
    if (!res.ok || !res.body) {
      throw new CliError('bad_answer', `logging at ${shown} answered HTTP ${res.status}`);
    }
    const lines = new LineDecoder();
    // A blank line carries no entry to show.
    const showLines = (list: string[]) => {
      for (const line of list) if (line.trim() !== '') show(ctx, o, line);
    };
    try {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) showLines(lines.push(chunk));
    } catch (err) {
      if (ctx.signal.aborted) return ExitCode.ok;
      throw new CliError(
        'unreachable',
        `the log tail from ${shown} broke off (${networkReason(err)})`,
        { cause: err },
      );
    }
    showLines(lines.end());
    if (ctx.signal.aborted) return ExitCode.ok;
    throw new CliError('unreachable', `logging at ${shown} ended the tail (the service stopped?)`);
  } finally {
    ctx.signal.removeEventListener('abort', onStop);
  }
}
