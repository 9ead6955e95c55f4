const REASONS: Record<number, string> = {
  200: 'Connection Established',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** A complete short HTTP response with a one-line text body; the connection closes after it. */
export function httpResponse(status: number, message: string): string {
  const body = `${message}\n`;
  return [
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}`,
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/**
 * The headers that tell the user which gateway and tunnel carried the connection
 * (`X-PA-Gateway`, `X-PA-Tunnel`), each line ending in CRLF.
 */
function carrierHeaders(gateway: string, tunnel: string | null): string {
  return `X-PA-Gateway: ${gateway}\r\n${tunnel ? `X-PA-Tunnel: ${tunnel}\r\n` : ''}`;
}

/** `200 Connection Established` naming the gateway and tunnel that carry the connection. */
export function connectionEstablished(gateway: string, tunnel: string | null): string {
  return `HTTP/1.1 200 Connection Established\r\n${carrierHeaders(gateway, tunnel)}\r\n`;
}

/** The connector's answer head with the carrier headers added after its status line. */
export function withCarrier(head: Buffer, gateway: string, tunnel: string | null): Buffer {
  const eol = head.indexOf('\r\n');
  if (eol < 0) return head;
  return Buffer.concat([
    head.subarray(0, eol + 2),
    Buffer.from(carrierHeaders(gateway, tunnel), 'latin1'),
    head.subarray(eol + 2),
  ]);
}
