import { createServer, type Server, type ServerResponse } from 'node:http';
import { healthUpdateProblem } from './health-update-check';

/**
 * A health update names every server of every app: 1 000 apps of 10 servers make about 450 KiB,
 * so the bound leaves room for ten times that catalog.
 */
const MAX_HEALTH_BODY = 4 * 1024 * 1024;

const answer = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const bad = (res: ServerResponse, status: number, code: string, message: string) =>
  answer(res, status, { error: { code, message } });

/**
 * The gateway's control endpoint: `POST /health` takes a connector's health update (checked,
 * then handed to `onHealth`, answered 202), `GET /healthz` says it is up.
 */
export function createHealthEndpoint(
  onHealth: (remoteAddress: string | undefined, body: Record<string, unknown>) => void,
): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') return answer(res, 200, { status: 'ok' });
    if (path !== '/health') return bad(res, 404, 'not_found', `no route ${req.method} ${path}`);
    if (req.method !== 'POST') return bad(res, 405, 'invalid_request', 'use POST /health');
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_HEALTH_BODY) {
        bad(res, 413, 'invalid_request', `body larger than ${MAX_HEALTH_BODY} bytes`);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_HEALTH_BODY) return;
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch (e) {
        return bad(res, 400, 'invalid_request', `body is not JSON: ${(e as Error).message}`);
      }
      const problem = healthUpdateProblem(body);
      if (problem) return bad(res, 400, 'invalid_request', problem);
      onHealth(req.socket.remoteAddress, body as Record<string, unknown>);
      answer(res, 202, { accepted: 1 });
    });
  });
}
