import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { CliError } from '../cli-error';

export interface GatewayTarget {
  name: string;
  host: string;
  /** Undefined when PA_GATEWAYS gave none: the profile's gateway port applies. */
  port: number | undefined;
  protocol: 'udp' | 'tcp';
}

export interface GatewayList {
  gateways: GatewayTarget[];
  /** Where the list came from, or why there is none: shown under the table. */
  source: string;
}

const ENTRY =
  /^(?:([A-Za-z0-9._-]+)=)?(\[[0-9A-Fa-f:.]+\]|[^:/[\]\s]+)(?::(\d{1,5}))?(?:\/(udp|tcp))?$/;

/**
 * PA_GATEWAYS: comma-separated `[name=]host[:port][/udp|/tcp]` (IPv6 in brackets), for a host
 * where the connector's data directory cannot be read. Protocol defaults to udp.
 */
export function parseGatewayList(raw: string): GatewayTarget[] {
  const out: GatewayTarget[] = [];
  for (const [i, item] of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .entries()) {
    const m = ENTRY.exec(item);
    const host = m?.[2]?.replace(/^\[|\]$/g, '');
    const bracketed = m?.[2]?.startsWith('[') ?? false;
    const port = m?.[3] === undefined ? undefined : Number(m[3]);
    if (
      !m ||
      !host ||
      (bracketed && isIP(host) !== 6) ||
      (port !== undefined && !(port >= 1 && port <= 65_535))
    ) {
      throw new CliError(
        'config',
        `PA_GATEWAYS: ${JSON.stringify(item)} is not [name=]host[:port][/udp|/tcp] (IPv6 in brackets)`,
      );
    }
    out.push({
      name: m[1] ?? `gateway-${i + 1}`,
      host,
      port,
      protocol: (m[4] as 'udp' | 'tcp' | undefined) ?? 'udp',
    });
  }
  return out;
}

/** The gateways the connector registered, from `<dataDir>/identity/identity.json`. */
export async function gatewaysFromIdentity(dataDir: string): Promise<GatewayList> {
  const path = join(dataDir, 'identity', 'identity.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'the connector has not enrolled yet'
        : code === 'EACCES'
          ? 'not readable by this user (run as root, or set PA_GATEWAYS)'
          : `unreadable (${code})`;
    return { gateways: [], source: `${path}: ${why}` };
  }
  let meta: { gateways?: unknown };
  try {
    meta = JSON.parse(text) as { gateways?: unknown };
  } catch {
    return { gateways: [], source: `${path}: not JSON` };
  }
  const list = Array.isArray(meta.gateways) ? meta.gateways : [];
  const gateways: GatewayTarget[] = [];
  for (const g of list as Array<Record<string, unknown>>) {
    if (typeof g?.host !== 'string' || typeof g.port !== 'number') continue;
    gateways.push({
      name: typeof g.name === 'string' ? g.name : typeof g.id === 'string' ? g.id : g.host,
      host: g.host,
      port: g.port,
      protocol: g.protocol === 'tcp' ? 'tcp' : 'udp',
    });
  }
  return { gateways, source: `registered gateways in ${path}` };
}

/**
 * The gateways the connector registered (what its tunnels really use) when its identity can be
 * read; otherwise PA_GATEWAYS, with the reason the identity was not used.
 */
export async function loadGateways(env: Record<string, string | undefined>): Promise<GatewayList> {
  const raw = env.PA_GATEWAYS?.trim();
  // Parsed first so a bad PA_GATEWAYS is reported even when the identity is readable.
  const listed = raw ? parseGatewayList(raw) : undefined;
  const registered = await gatewaysFromIdentity(env.PA_DATA_DIR?.trim() || '/var/lib/pa-connector');
  if (registered.gateways.length > 0 || listed === undefined) return registered;
  return { gateways: listed, source: `PA_GATEWAYS (${registered.source})` };
}
