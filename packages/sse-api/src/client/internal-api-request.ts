import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** What one internal API request sends. */
export interface InternalApiInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

/** The part of an answer the internal API calls read. */
export interface InternalApiResponse {
  status: number;
  text(): Promise<string>;
}

/** How an internal API request is sent; the global fetch fits it, as do tests' fakes. */
export type InternalApiFetch = (url: URL, init: InternalApiInit) => Promise<InternalApiResponse>;

/**
 * One request over node:http(s), the default transport of the internal API calls. The global
 * fetch would do the same, but its first use loads undici and compiles its HTTP parser to
 * WebAssembly: about 12 MB of RSS for the life of the process, in services that send one small
 * request every 30 s. An abort (the caller's timeout) rejects with the signal's reason, as fetch
 * does; a failure to connect rejects with the socket's error (its `code`, e.g. ECONNREFUSED).
 */
export function requestOverHttp(url: URL, init: InternalApiInit): Promise<InternalApiResponse> {
  return new Promise((resolve, reject) => {
    const fail = (err: unknown) => reject(init.signal.aborted ? init.signal.reason : err);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: init.method, headers: init.headers, signal: init.signal });
    req.once('error', fail);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('error', fail);
      res.once('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, text: async () => text });
      });
    });
    req.end(init.body);
  });
}
