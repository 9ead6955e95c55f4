import { request } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';

export interface SseResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test convenience
  json: () => any;
}

export interface SseCall {
  method?: string;
  path: string;
  body?: unknown;
  /** Sent as is with content-type application/json (for bodies that are not valid JSON). */
  rawBody?: string;
  /** Client certificate for mTLS. */
  cert?: { certPem: string; keyPem: string };
  token?: string;
  headers?: Record<string, string>;
}

/**
 * One HTTPS request on a fresh connection, trusting only the emulator CA. `hosts` answers name
 * lookups (name -> address) so a listener named by a hostname is reached by that name.
 */
export function sseRequest(
  baseUrl: string,
  caPem: string,
  call: SseCall,
  hosts?: Record<string, string>,
): Promise<SseResponse> {
  const url = new URL(call.path, baseUrl);
  const body = call.rawBody ?? (call.body === undefined ? undefined : JSON.stringify(call.body));
  const headers: Record<string, string> = { ...call.headers };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: call.method ?? (body === undefined ? 'GET' : 'POST'),
        headers,
        ca: caPem,
        agent: false,
        ...(hosts ? { lookup: lookupIn(hosts) } : {}),
        ...(call.cert ? { cert: call.cert.certPem, key: call.cert.keyPem } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text),
          });
        });
      },
    );
    req.on('error', reject);
    req.setTimeout(20_000, () => req.destroy(new Error('request timed out')));
    req.end(body);
  });
}

function lookupIn(hosts: Record<string, string>): LookupFunction {
  return (hostname, options, callback) => {
    const address = hosts[hostname];
    if (address === undefined) {
      callback(new Error(`no test address for ${hostname}`), '', 4);
    } else if (options.all) {
      callback(null, [{ address, family: isIP(address) }]);
    } else {
      callback(null, address, isIP(address));
    }
  };
}
