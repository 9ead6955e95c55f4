import { Writable } from 'node:stream';
import { createLogger } from '@pa-connector/logger';
import {
  certificateInfo,
  createCertificateAuthority,
  generateKeyPair,
  signCertificate,
  type VerifyResult,
} from '@pa-connector/pki';
import {
  type CatalogResult,
  type ClientIdentity,
  type RegisterRequest,
  type RenewRequest,
  readCatalogResponse,
  readRegisterResponse,
  readRenewResponse,
  readTokenResponse,
  SseApiError,
  type SseClient,
  type SseEndpoint,
  SseRoutes,
} from '@pa-connector/sse-api';
import {
  buildEmulator,
  type CertificateIssuer,
  caIssuer,
  DEFAULT_REGIONS,
  type Clock as EmulatorClock,
  EmulatorState,
  FaultTable,
} from '@pa-connector/sse-emulator';

/**
 * The CA's verdict on a certificate's signatures and usage does not change with time: checked
 * once per certificate (node-forge takes milliseconds, and a virtual year makes ~20 000 calls),
 * while its validity window is still compared with the clock's time on every request.
 */
function rememberingIssuer(issuer: CertificateIssuer): CertificateIssuer {
  const seen = new Map<string, { verdict: VerifyResult; from: number; until: number }>();
  return {
    caChain: issuer.caChain,
    issueClientCertificate: (o) => issuer.issueClientCertificate(o),
    verifyClientCertificate(certPem, now) {
      let known = seen.get(certPem);
      if (!known) {
        const info = certificateInfo(certPem);
        const from = info.notBefore.getTime();
        const until = info.notAfter.getTime();
        known = { verdict: issuer.verifyClientCertificate(certPem, new Date(from)), from, until };
        seen.set(certPem, known);
      }
      if (!known.verdict.ok) return known.verdict;
      const t = now.getTime();
      if (t < known.from || t > known.until) {
        return issuer.verifyClientCertificate(certPem, now);
      }
      return known.verdict;
    },
  };
}

/** Where the in-process client puts its certificate: there is no TLS handshake to carry it. */
const PEER_CERT_HEADER = 'x-test-peer-certificate';

export interface InProcessSse {
  state: EmulatorState;
  /** An SseClient whose requests go to the emulator's SSE app through inject(): no sockets. */
  client: SseClient;
  /** Requests answered, by endpoint. */
  calls: Map<SseEndpoint, number>;
  /** Resolves once no request is in flight (time must not move on during one). */
  idle(): Promise<void>;
  /** Requests in flight now. */
  pending(): number;
  close(): Promise<void>;
}

/**
 * The emulator's SSE API in this process, on the caller's clock: its routes, checks and state
 * (certificates signed with virtual validity dates, token expiry) as the connector meets them,
 * reached through fastify's inject() so virtual time never waits on a socket.
 */
export function inProcessSse(o: {
  now: () => number;
  certLifetimeSeconds: number;
  tokenLifetimeSeconds: number;
}): InProcessSse {
  const clock: EmulatorClock = { now: () => new Date(o.now()) };
  // The CA is valid from the virtual start for ten years: the whole virtual run fits.
  const ca = createCertificateAuthority({ commonName: 'Year SSE CA', now: clock.now() });
  const serverKeys = generateKeyPair();
  const server = signCertificate({
    ca,
    publicKeyPem: serverKeys.publicKeyPem,
    commonName: 'localhost',
    lifetimeSeconds: 10 * 365 * 86_400,
    usage: 'server',
    altNames: ['localhost'],
    now: clock.now(),
  });
  const state = new EmulatorState({
    regions: DEFAULT_REGIONS,
    certLifetimeSeconds: o.certLifetimeSeconds,
    tokenLifetimeSeconds: o.tokenLifetimeSeconds,
    issuer: rememberingIssuer(caIssuer(ca)),
    clock,
    random: (n) => Buffer.from(Array.from({ length: n }, () => Math.floor(Math.random() * 256))),
  });
  const quiet = new Writable({ write: (_c, _e, cb) => cb() });
  const { sse } = buildEmulator({
    state,
    faults: new FaultTable(),
    persist: async () => undefined,
    ca,
    serverTls: { keyPem: serverKeys.privateKeyPem, certPem: server.certPem },
    logger: createLogger({ service: 'sse-emulator', level: 'warn', destination: quiet }),
    clock,
    peerCertificate: (request) => {
      const v = request.headers[PEER_CERT_HEADER];
      return typeof v === 'string' ? decodeURIComponent(v) : undefined;
    },
  });
  const calls = new Map<SseEndpoint, number>();
  const inFlight = new Set<Promise<unknown>>();
  let identity: ClientIdentity | undefined;

  async function send(
    endpoint: SseEndpoint,
    method: 'GET' | 'POST',
    opts: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: unknown; etag: string | undefined }> {
    const headers: Record<string, string> = { ...opts.headers };
    if (identity) headers[PEER_CERT_HEADER] = encodeURIComponent(identity.certPem);
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const req = sse.inject({
      method,
      url: SseRoutes[endpoint],
      headers,
      ...(opts.body === undefined ? {} : { payload: opts.body as object }),
    });
    inFlight.add(req);
    const res = await req.finally(() => inFlight.delete(req));
    calls.set(endpoint, (calls.get(endpoint) ?? 0) + 1);
    const body = res.body.length > 0 ? (JSON.parse(res.body) as unknown) : undefined;
    if (res.statusCode >= 400) {
      const e = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new SseApiError(endpoint, res.statusCode, e?.code ?? 'unknown', e?.message ?? '');
    }
    const etag = res.headers.etag;
    return { status: res.statusCode, body, etag: typeof etag === 'string' ? etag : undefined };
  }

  // The methods the control plane calls, each read with the real client's response checks.
  const client = {
    setIdentity: (i: ClientIdentity | undefined) => {
      identity = i;
    },
    close: async () => undefined,
    register: async (req: RegisterRequest) =>
      readRegisterResponse((await send('register', 'POST', { body: req })).body),
    token: async () => readTokenResponse((await send('token', 'POST')).body, 'token'),
    refresh: async (token: string) =>
      readTokenResponse((await send('refresh', 'POST', { token })).body, 'refresh'),
    renew: async (req: RenewRequest, token: string) =>
      readRenewResponse((await send('renew', 'POST', { body: req, token })).body),
    catalog: async (token: string, opts: { etag?: string } = {}): Promise<CatalogResult> => {
      const r = await send('catalog', 'GET', {
        token,
        headers: opts.etag ? { 'if-none-match': opts.etag } : {},
      });
      if (r.status === 304) return { status: 'not-modified', etag: r.etag ?? opts.etag };
      return { status: 'ok', catalog: readCatalogResponse(r.body), etag: r.etag };
    },
  };
  return {
    state,
    client: client as unknown as SseClient,
    calls,
    pending: () => inFlight.size,
    idle: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    close: () => sse.close(),
  };
}
