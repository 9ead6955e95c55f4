import type { SseEndpoint } from '../routes';
import type {
  AcceptedResponse,
  CatalogResponse,
  Gateway,
  RegisterResponse,
  ReleaseManifest,
  RenewResponse,
  TokenResponse,
} from '../types';
import { POP_SERVICE_NAMES } from '../types';
import { SseProtocolError } from './errors';

type Obj = Record<string, unknown>;

/** How a release names an image's content: `sha256:` and 64 lowercase hex digits. */
export const IMAGE_DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Checks one response body against its wire type; throws SseProtocolError naming the field. */
class Reader {
  constructor(
    private readonly endpoint: SseEndpoint,
    private readonly url: string | undefined,
  ) {}

  fail(what: string): never {
    throw new SseProtocolError(this.endpoint, `SSE ${this.endpoint} response ${what}`, {
      url: this.url,
    });
  }

  object(v: unknown, where = 'body'): Obj {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      this.fail(`${where} is not an object`);
    return v as Obj;
  }

  string(o: Obj, field: string, where = ''): string {
    const v = o[field];
    if (v === undefined || v === null) this.fail(`is missing ${where}${field}`);
    if (typeof v !== 'string' || v === '') this.fail(`has an empty or non-string ${where}${field}`);
    return v;
  }

  date(o: Obj, field: string): string {
    const v = this.string(o, field);
    if (Number.isNaN(Date.parse(v))) this.fail(`has ${field} that is not a date`);
    return v;
  }

  pem(o: Obj, field: string): string {
    const v = this.string(o, field);
    if (!v.includes('-----BEGIN CERTIFICATE-----'))
      this.fail(`has ${field} that is not a PEM certificate`);
    return v;
  }

  pemList(o: Obj, field: string): string[] {
    const v = o[field];
    if (v === undefined || v === null) this.fail(`is missing ${field}`);
    if (!Array.isArray(v) || v.length === 0) this.fail(`has ${field} that is not a non-empty list`);
    for (const [i, p] of v.entries()) {
      if (typeof p !== 'string' || !p.includes('-----BEGIN CERTIFICATE-----')) {
        this.fail(`has ${field}[${i}] that is not a PEM certificate`);
      }
    }
    return v as string[];
  }

  number(o: Obj, field: string): number {
    const v = o[field];
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`is missing the number ${field}`);
    return v;
  }
}

function gateways(r: Reader, v: unknown): Gateway[] {
  if (!Array.isArray(v)) r.fail('has gateways that is not a list');
  return v.map((g, i) => {
    const o = r.object(g, `gateways[${i}]`);
    const port = r.number(o, 'port');
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      r.fail(`has gateways[${i}].port out of range`);
    const protocol = r.string(o, 'protocol', `gateways[${i}].`);
    if (protocol !== 'udp' && protocol !== 'tcp')
      r.fail(`has gateways[${i}].protocol not udp or tcp`);
    const gw: Gateway = {
      id: r.string(o, 'id', `gateways[${i}].`),
      name: r.string(o, 'name', `gateways[${i}].`),
      host: r.string(o, 'host', `gateways[${i}].`),
      port,
      protocol,
    };
    // Optional fields a PoP with real gateways adds; kept when they are strings.
    for (const field of OPTIONAL_GATEWAY_FIELDS) {
      const v = o[field];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'string' || v === '')
        r.fail(`has gateways[${i}].${field} that is not a string`);
      (gw as unknown as Record<string, string>)[field] = v;
    }
    return gw;
  });
}

const OPTIONAL_GATEWAY_FIELDS = ['serverName', 'tunnelAddress', 'controlUrl'] as const;

/** The PoP's tunnel settings (tls-crypt key, cipher), when the SSE sends them. */
function tunnelSettings(r: Reader, v: unknown): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  const o = r.object(v, 'tunnel');
  return {
    tlsCryptKey: r.string(o, 'tlsCryptKey', 'tunnel.'),
    cipher: r.string(o, 'cipher', 'tunnel.'),
  };
}

export function readRegisterResponse(body: unknown, url?: string): RegisterResponse {
  const r: Reader = new Reader('register', url);
  const o = r.object(body);
  const out: RegisterResponse = {
    connectorId: r.string(o, 'connectorId'),
    groupId: r.string(o, 'groupId'),
    pop: r.string(o, 'pop'),
    certificate: r.pem(o, 'certificate'),
    certificateExpiresAt: r.date(o, 'certificateExpiresAt'),
    caChain: r.pemList(o, 'caChain'),
    gateways: gateways(r, o.gateways),
  };
  const tunnel = tunnelSettings(r, o.tunnel);
  if (tunnel) (out as unknown as Record<string, unknown>).tunnel = tunnel;
  return out;
}

export function readTokenResponse(
  body: unknown,
  endpoint: 'token' | 'refresh',
  url?: string,
): TokenResponse {
  const r: Reader = new Reader(endpoint, url);
  const o = r.object(body);
  const expiresIn = r.number(o, 'expiresIn');
  if (expiresIn <= 0) r.fail('has expiresIn that is not positive');
  return {
    accessToken: r.string(o, 'accessToken'),
    tokenType: 'Bearer',
    expiresIn,
    expiresAt: r.date(o, 'expiresAt'),
  };
}

export function readRenewResponse(body: unknown, url?: string): RenewResponse {
  const r: Reader = new Reader('renew', url);
  const o = r.object(body);
  return {
    certificate: r.pem(o, 'certificate'),
    certificateExpiresAt: r.date(o, 'certificateExpiresAt'),
    caChain: r.pemList(o, 'caChain'),
  };
}

export function readCatalogResponse(body: unknown, url?: string): CatalogResponse {
  const r: Reader = new Reader('catalog', url);
  const o = r.object(body);
  const version = o.version;
  if (typeof version !== 'string' && typeof version !== 'number') r.fail('is missing version');
  const apps = o.apps;
  if (!Array.isArray(apps)) r.fail('has apps that is not a list');
  return { version: String(version), apps };
}

export function readReleaseManifest(body: unknown, url?: string): ReleaseManifest {
  const r: Reader = new Reader('release', url);
  const o = r.object(body);
  const images = r.object(o.images, 'images');
  const checked: ReleaseManifest['images'] = {};
  // Services this POP does not know (a newer release) are left out, not refused.
  for (const service of POP_SERVICE_NAMES) {
    if (images[service] === undefined) continue;
    const entry = r.object(images[service], `images.${service}`);
    const image = r.string(entry, 'image', `images.${service}.`);
    const digest = r.string(entry, 'digest', `images.${service}.`);
    if (!IMAGE_DIGEST.test(digest))
      r.fail(`has images.${service}.digest that is not sha256:<64 hex>`);
    checked[service] = { image, digest };
  }
  const out: ReleaseManifest = {
    version: r.string(o, 'version'),
    publishedAt: r.date(o, 'publishedAt'),
    images: checked,
  };
  if (typeof o.minAutoUpgradeVersion === 'string')
    out.minAutoUpgradeVersion = o.minAutoUpgradeVersion;
  return out;
}

export function readAccepted(
  body: unknown,
  endpoint: 'health' | 'popStatus' | 'logs',
  url?: string,
): AcceptedResponse {
  const r: Reader = new Reader(endpoint, url);
  return { accepted: r.number(r.object(body), 'accepted') };
}
