import { compareStreamIds } from '@pa-connector/logger';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { listLogFiles } from '../files/retention';
import { LOG_ID_FIELD, logIdOf } from '../ingest/line-format';
import { parseLogFilter, QueryError } from '../query/log-filter';
import { queryLogs } from '../query/query-logs';
import type { TailHub } from '../tail/tail-hub';

export interface LogsRoutesOptions {
  dir: string;
  hub: TailHub;
  now?: () => number;
  /** Bytes a slow tail client may have queued before lines are skipped for it. */
  tailBufferBytes?: number;
  onTailDropped?: (lines: number) => void;
}

const MAX_BACKLOG = 1_000;

function badRequest(reply: FastifyReply, err: unknown) {
  if (err instanceof QueryError) {
    return reply.code(400).send({ error: { code: err.code, message: err.message } });
  }
  throw err;
}

/**
 * GET /logs (search), GET /logs/tail (live NDJSON, optionally starting with the last
 * `backlog` matching lines) and GET /logs/files (what is on disk).
 */
export const logsRoutes: FastifyPluginAsync<LogsRoutesOptions> = async (app, o) => {
  const now = o.now ?? Date.now;
  const maxQueued = o.tailBufferBytes ?? 1024 * 1024;

  app.get('/logs', async (req, reply) => {
    let filter: ReturnType<typeof parseLogFilter>;
    try {
      filter = parseLogFilter(req.query as Record<string, unknown>, now());
    } catch (err) {
      return badRequest(reply, err);
    }
    const result = await queryLogs(o.dir, filter);
    return { count: result.entries.length, truncated: result.truncated, entries: result.entries };
  });

  app.get('/logs/files', async () => {
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

  app.get('/logs/tail', async (req, reply) => {
    const query = req.query as Record<string, unknown>;
    let filter: ReturnType<typeof parseLogFilter>;
    let backlog = 0;
    try {
      const { limit: _ignored, ...rest } = query;
      filter = parseLogFilter(rest, now());
      const b = query.backlog;
      if (b !== undefined) {
        if (typeof b !== 'string' || !/^\d+$/.test(b) || Number(b) > MAX_BACKLOG) {
          throw new QueryError(`backlog: must be a whole number from 0 to ${MAX_BACKLOG}`);
        }
        backlog = Number(b);
      }
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
