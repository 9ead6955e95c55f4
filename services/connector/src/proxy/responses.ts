/** Why the proxy refused or ended a connection (the `reason` of its error metric and logs). */
export type RefusalReason =
  | 'malformed'
  | 'not_connect'
  | 'head_too_large'
  | 'header_timeout'
  | 'not_in_catalog'
  | 'forbidden_address'
  | 'no_healthy_server'
  | 'connection_limit'
  | 'app_connection_limit'
  | 'resolve_failed'
  | 'dial_failed'
  | 'dial_timeout'
  | 'shutting_down'
  | 'draining';

const STATUS: Record<RefusalReason, [number, string, string]> = {
  malformed: [400, 'Bad Request', 'expected CONNECT host:port HTTP/1.1'],
  not_connect: [405, 'Method Not Allowed', 'only CONNECT is supported'],
  head_too_large: [431, 'Request Header Fields Too Large', 'request head too large'],
  header_timeout: [408, 'Request Timeout', 'request head not received in time'],
  not_in_catalog: [403, 'Forbidden', 'target is not an application of this connector'],
  forbidden_address: [403, 'Forbidden', 'target resolves to a forbidden address'],
  no_healthy_server: [503, 'Service Unavailable', 'no healthy server for this application'],
  connection_limit: [503, 'Service Unavailable', 'too many connections'],
  app_connection_limit: [503, 'Service Unavailable', 'too many connections to this application'],
  resolve_failed: [502, 'Bad Gateway', 'could not resolve the application server'],
  dial_failed: [502, 'Bad Gateway', 'could not connect to the application server'],
  dial_timeout: [504, 'Gateway Timeout', 'timed out connecting to the application server'],
  shutting_down: [503, 'Service Unavailable', 'the connector is shutting down'],
  draining: [
    503,
    'Service Unavailable',
    'the connector is draining: it takes no new connections, try another connector',
  ],
};

/**
 * The header naming why the proxy refused: the gateway's ingress reads it to tell a refusal that
 * another connector of the group would not give (`draining`, `shutting_down`, `connection_limit`:
 * it tries the next one) from one it would (`not_in_catalog`: passed to the user).
 */
export const REFUSAL_HEADER = 'X-PA-Refusal';

function build(reason: RefusalReason): Buffer {
  const [code, phrase, text] = STATUS[reason];
  const body = `${code} ${phrase}: ${text}\n`;
  return Buffer.from(
    `HTTP/1.1 ${code} ${phrase}\r\n${REFUSAL_HEADER}: ${reason}\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    'latin1',
  );
}

/** Ready-made answers, one per reason: nothing is formatted on the hot path. */
export const REFUSAL: Readonly<Record<RefusalReason, Buffer>> = Object.fromEntries(
  (Object.keys(STATUS) as RefusalReason[]).map((r) => [r, build(r)]),
) as Record<RefusalReason, Buffer>;

export function refusalStatus(reason: RefusalReason): number {
  return STATUS[reason][0];
}

export const ESTABLISHED = Buffer.from('HTTP/1.1 200 Connection Established\r\n\r\n', 'latin1');
