import { connect } from 'node:net';

/** One connected client, from `status 3` (CLIENT_LIST). */
export interface ConnectedClient {
  commonName: string;
  /** Transport address, `ip:port`. */
  realAddress: string;
  tunnelAddress: string;
  bytesReceived: number;
  bytesSent: number;
  connectedSince: string;
}

/**
 * Asks a gateway's management socket for its connected clients (`status 3`). The management
 * interface takes one client at a time; the socket is closed as soon as the answer is read.
 */
export function readConnectedClients(
  socketPath: string,
  timeoutMs = 2_000,
): Promise<ConnectedClient[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let buffer = '';
    let sent = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no status from ${socketPath} within ${timeoutMs}ms`));
    }, timeoutMs);
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      if (!sent && buffer.includes('\n')) {
        // The greeting (>INFO:...) is in; ask now so the answer is not interleaved with it.
        sent = true;
        buffer = '';
        socket.write('status 3\n');
        return;
      }
      if (sent && /(^|\n)END\r?\n/.test(buffer)) {
        clearTimeout(timer);
        socket.end('quit\n');
        resolve(parseStatus3(buffer));
      }
    });
  });
}

/** CLIENT_LIST rows of a `status 3` answer (tab separated; header rows start with HEADER). */
export function parseStatus3(text: string): ConnectedClient[] {
  const clients: ConnectedClient[] = [];
  for (const raw of text.split('\n')) {
    const f = raw.replace(/\r$/, '').split('\t');
    if (f[0] !== 'CLIENT_LIST') continue;
    clients.push({
      commonName: f[1] ?? '',
      realAddress: f[2] ?? '',
      tunnelAddress: f[3] ?? '',
      bytesReceived: Number(f[5] ?? 0),
      bytesSent: Number(f[6] ?? 0),
      connectedSince: f[7] ?? '',
    });
  }
  return clients;
}
