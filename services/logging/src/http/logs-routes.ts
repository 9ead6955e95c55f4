import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { compareStreamIds } from '@pa-connector/logger';
import { LogFilesAnswer, LogsAnswer, TailAnswer } from '@pa-connector/redis-contracts';
import { ERROR_RESPONSES, errorBody, httpErrorHandler } from '@pa-connector/service-runtime';
import type { FastifyReply } from 'fastify';
import { listLogFiles } from '../files/retention';
import { LOG_ID_FIELD, logIdOf } from '../ingest/line-format';
import { LogQuery, parseLogFilter, QUERY_ERROR_CODE, QueryError } from '../query/log-filter';
import { queryLogs } from '../query/query-logs';
import type { TailHub } from '../tail/tail-hub';
import { TailQuery } from './logs-contracts';

export interface LogsRoutesOptions {
  dir: string;
  hub: TailHub;
  now?: () => number;
  /** Bytes a slow tail client may have queued before lines are skipped for it. */
  tailBufferBytes?: number;
  onTailDropped?: (lines: number) => void;
}

function badRequest(reply: FastifyReply, err: unknown) {
  if (err instanceof QueryError) return reply.code(400).send(errorBody(err.code, err.message));
  throw err;
}

const ANSWERS = { ...ERROR_RESPONSES };

/**
 * GET /logs (search), GET /logs/tail (live NDJSON, optionally starting with the last
 * `backlog` matching lines) and GET /logs/files (what is on disk).
 */
export const logsRoutes: FastifyPluginAsyncTypebox<LogsRoutesOptions> = async (app, o) => {
  const now = o.now ?? Date.now;
  const maxQueued = o.tailBufferBytes ?? 1024 * 1024;
  // A query that breaks its schema is answered like one parseLogFilter refuses.
  app.setErrorHandler(httpErrorHandler({ validationCode: QUERY_ERROR_CODE }));

  const logs = { querystring: LogQuery, response: { 200: LogsAnswer, ...ANSWERS } };
  app.get('/logs', { schema: logs }, async (req, reply) => {
    let filter: ReturnType<typeof parseLogFilter>;
    try {
      filter = parseLogFilter(req.query, now());
    } catch (err) {
      return badRequest(reply, err);
    }
    const result = await queryLogs(o.dir, filter);
    return { count: result.entries.length, truncated: result.truncated, entries: result.entries };
  });

  const files = { response: { 200: LogFilesAnswer, ...ANSWERS } };
  app.get('/logs/files', { schema: files }, async () => {
    const files = await listLogFiles(o.dir).catch(() => []);
    files.sort((a, b) => a.service.localeCompare(b.service) || b.seq - a.seq);
    return {
      files: files.map((f) => ({
        name: f.name,
        service: f.service,
        kind: f.kind,
        bytes: f.bytes,
        modified: new Date(f.mtimeMs).toISOString(),
      })),
    };
  });

  // The answer is NDJSON written straight to the socket: the schema documents it.
  const tail = { querystring: TailQuery, response: { 200: TailAnswer, ...ANSWERS } };
  app.get('/logs/tail', { schema: tail }, async (req, reply) => {
    const { backlog = 0, ...query } = req.query;
    let filter: ReturnType<typeof parseLogFilter>;
    try {
      filter = parseLogFilter(query, now());
    } catch (err) {
      return badRequest(reply, err);
    }
    // Live lines only: a time bound would end the tail at once or never.
    const { since: _s, until: _u, ...live } = filter;

    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();

    let skipped = 0;
    let held: string[] | undefined = [];
    const write = (line: string) => {
      if (res.writableLength > maxQueued) {
        skipped++;
        return;
      }
      if (skipped > 0) {
        o.onTailDropped?.(skipped);
        res.write(
          `${JSON.stringify({ level: 'warn', service: 'logging', component: 'tail', skippedLines: skipped, msg: `${skipped} lines skipped: the client reads too slowly` })}\n`,
        );
        skipped = 0;
      }
      res.write(`${line}\n`);
    };
    const unsubscribe = o.hub.subscribe({
      filter: live,
      send: (line) => {
        if (held) held.push(line);
        else write(line);
      },
      end: () => res.end(),
    });
    res.on('close', unsubscribe);

    // The backlog comes from the files; lines written meanwhile were held and follow it,
    // without those the backlog already has.
    let lastId: string | undefined;
    if (backlog > 0) {
      const past = await queryLogs(o.dir, { ...live, limit: backlog }).catch(() => undefined);
      for (const e of past?.entries ?? []) {
        write(JSON.stringify(e));
        lastId = String(e[LOG_ID_FIELD] ?? lastId);
      }
    }
    const pending = held;
    held = undefined;
    for (const line of pending) {
      const id = logIdOf(line);
      if (lastId && id && compareStreamIds(id, lastId) <= 0) continue;
      write(line);
    }
    return reply;
  });
};
