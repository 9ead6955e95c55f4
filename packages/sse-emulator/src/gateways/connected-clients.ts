import {
  type Connector,
  ManagementClient,
  type StatusClient,
} from '@pa-connector/openvpn-manager-client';

/** One connected client, from the gateway's `status 3` client list. */
export interface ConnectedClient {
  commonName: string;
  /** Transport address, `ip:port`. */
  realAddress: string;
  tunnelAddress: string;
  bytesReceived: number;
  bytesSent: number;
  /** As OpenVPN prints it (server local time, `YYYY-MM-DD hh:mm:ss`). */
  connectedSince: string;
}

export interface ConnectedClientsOptions {
  /** Deadline for connecting (greeting included) and, separately, for the answer. Default 2000. */
  timeoutMs?: number;
  /** Opens the stream; tests pass a scripted one. Default: the unix socket. */
  connector?: Connector;
}

/**
 * Asks a gateway's management socket for its connected clients. The management interface
 * serves one client at a time, so the session ends (`quit`) as soon as the answer is in.
 */
export async function readConnectedClients(
  socketPath: string,
  o: ConnectedClientsOptions = {},
): Promise<ConnectedClient[]> {
  const timeoutMs = o.timeoutMs ?? 2_000;
  const client = new ManagementClient({
    path: socketPath,
    connectTimeoutMs: timeoutMs,
    commandTimeoutMs: timeoutMs,
    ...(o.connector ? { connector: o.connector } : {}),
  });
  try {
    await client.connect();
    const report = await client.status(3);
    await client.quit();
    return report.clients.map(toConnectedClient);
  } finally {
    await client.close();
  }
}

function toConnectedClient(c: StatusClient): ConnectedClient {
  return {
    commonName: c.commonName,
    realAddress: c.realAddress,
    tunnelAddress: c.virtualAddress ?? '',
    bytesReceived: c.bytesReceived ?? 0,
    bytesSent: c.bytesSent ?? 0,
    connectedSince: c.fields['Connected Since'] ?? '',
  };
}
