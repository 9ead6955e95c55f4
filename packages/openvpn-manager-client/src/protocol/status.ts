import { parseCount } from './fields';

/** A row of the server's client list. Every column is also kept by its header in `fields`. */
export interface StatusClient {
  commonName: string;
  /** `ip:port` the client connects from. */
  realAddress: string;
  virtualAddress: string | undefined;
  virtualIpv6Address: string | undefined;
  bytesReceived: number | undefined;
  bytesSent: number | undefined;
  connectedSince: Date | undefined;
  username: string | undefined;
  clientId: number | undefined;
  peerId: number | undefined;
  dataChannelCipher: string | undefined;
  fields: Record<string, string>;
}

/** A row of the server's routing table. */
export interface StatusRoute {
  virtualAddress: string;
  commonName: string;
  realAddress: string;
  lastRef: Date | undefined;
  fields: Record<string, string>;
}

/**
 * The answer to `status` (formats 1, 2 and 3). A client prints only `statistics`; a server
 * prints the client list, routing table and global stats.
 */
export interface StatusReport {
  mode: 'client' | 'server';
  /** TITLE (formats 2/3): OpenVPN's version string. */
  title: string | undefined;
  /** When OpenVPN produced the report (TIME, or Updated). */
  time: Date | undefined;
  /** Client mode: counters such as `TUN/TAP read bytes`, `TCP/UDP write bytes`. */
  statistics: Record<string, number>;
  clients: StatusClient[];
  routes: StatusRoute[];
  globalStats: Record<string, string>;
  /** The report as received, without the closing END. */
  lines: string[];
}

type Section = 'none' | 'statistics' | 'clients' | 'routes' | 'global';

/** Parses the lines of a `status` reply (END already removed). */
export function parseStatus(lines: string[]): StatusReport {
  const report: StatusReport = {
    mode: 'client',
    title: undefined,
    time: undefined,
    statistics: {},
    clients: [],
    routes: [],
    globalStats: {},
    lines,
  };
  const headers: Record<string, string[]> = {};
  let section: Section = 'none';
  let pendingHeader: 'clients' | 'routes' | undefined;

  for (const line of lines) {
    // Format 3 separates with tabs, 1 and 2 with commas; a client uses commas in every format.
    const f = line.includes('\t') ? line.split('\t') : line.split(',');
    const [first = '', second = '', third] = f;

    // Formats 2 and 3: every line says what it is.
    if (first === 'TITLE') {
      report.mode = 'server';
      report.title = f.slice(1).join(line.includes('\t') ? '\t' : ',');
      continue;
    }
    if (first === 'TIME') {
      report.time = dateFrom(second, third);
      continue;
    }
    if (first === 'HEADER') {
      headers[second] = f.slice(2);
      continue;
    }
    if (first === 'CLIENT_LIST' && headers.CLIENT_LIST) {
      report.clients.push(toClient(zip(headers.CLIENT_LIST, f.slice(1))));
      continue;
    }
    if (first === 'ROUTING_TABLE' && headers.ROUTING_TABLE) {
      report.routes.push(toRoute(zip(headers.ROUTING_TABLE, f.slice(1))));
      continue;
    }
    if (first === 'GLOBAL_STATS') {
      report.globalStats[second] = f.slice(2).join(',');
      continue;
    }

    // Format 1 (and every client): sections under a title line.
    if (line === 'OpenVPN STATISTICS') {
      section = 'statistics';
      continue;
    }
    if (line === 'OpenVPN CLIENT LIST') {
      report.mode = 'server';
      section = 'clients';
      pendingHeader = 'clients';
      continue;
    }
    if (line === 'ROUTING TABLE') {
      section = 'routes';
      pendingHeader = 'routes';
      continue;
    }
    if (line === 'GLOBAL STATS') {
      section = 'global';
      continue;
    }
    if (first === 'Updated') {
      report.time = dateFrom(second, undefined);
      continue;
    }
    if (pendingHeader) {
      headers[pendingHeader] = f;
      pendingHeader = undefined;
      continue;
    }
    switch (section) {
      case 'statistics': {
        const value = parseCount(second);
        if (value !== undefined) report.statistics[first] = value;
        break;
      }
      case 'clients':
        if (headers.clients) report.clients.push(toClient(zip(headers.clients, f)));
        break;
      case 'routes':
        if (headers.routes) report.routes.push(toRoute(zip(headers.routes, f)));
        break;
      case 'global':
        report.globalStats[first] = f.slice(1).join(',');
        break;
      default:
        break;
    }
  }
  return report;
}

function zip(names: string[], values: string[]): Record<string, string> {
  const row: Record<string, string> = {};
  names.forEach((name, i) => {
    row[name] = values[i] ?? '';
  });
  return row;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Prefers the unix time column; falls back to OpenVPN's local-time text. */
function dateFrom(text: string | undefined, unix: string | undefined): Date | undefined {
  const seconds = parseCount(unix);
  if (seconds !== undefined) return new Date(seconds * 1000);
  if (!text) return undefined;
  const local = new Date(text.replace(' ', 'T'));
  return Number.isNaN(local.getTime()) ? undefined : local;
}

function toClient(row: Record<string, string>): StatusClient {
  return {
    commonName: row['Common Name'] ?? '',
    realAddress: row['Real Address'] ?? '',
    virtualAddress: nonEmpty(row['Virtual Address']),
    virtualIpv6Address: nonEmpty(row['Virtual IPv6 Address']),
    bytesReceived: parseCount(row['Bytes Received']),
    bytesSent: parseCount(row['Bytes Sent']),
    connectedSince: dateFrom(row['Connected Since'], row['Connected Since (time_t)']),
    username: nonEmpty(row.Username),
    clientId: parseCount(row['Client ID']),
    peerId: parseCount(row['Peer ID']),
    dataChannelCipher: nonEmpty(row['Data Channel Cipher']),
    fields: row,
  };
}

function toRoute(row: Record<string, string>): StatusRoute {
  return {
    virtualAddress: row['Virtual Address'] ?? '',
    commonName: row['Common Name'] ?? '',
    realAddress: row['Real Address'] ?? '',
    lastRef: dateFrom(row['Last Ref'], row['Last Ref (time_t)']),
    fields: row,
  };
}
