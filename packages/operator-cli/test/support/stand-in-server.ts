import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface StandIn {
  url: string;
  /** Paths and queries asked so far. */
  requests: string[];
  close(): Promise<void>;
}

/** An HTTP server on a free loopback port answering with `handler` (unit tests of rendering only). */
export async function standIn(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<StandIn> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
