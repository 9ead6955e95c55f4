import { parseCount } from './fields';

/** The kinds of `>CLIENT:` notification a server with --management-client-auth sends. */
export type ClientEventKind =
  | 'CONNECT'
  | 'REAUTH'
  | 'ESTABLISHED'
  | 'DISCONNECT'
  | 'ADDRESS'
  | 'CR_RESPONSE'
  | (string & {});

/** One complete `>CLIENT:` notification, its `>CLIENT:ENV,...` lines gathered into `env`. */
export interface ClientEvent {
  kind: ClientEventKind;
  /** CID: OpenVPN's numeric id for the connected client. */
  clientId: number;
  /** KID (CONNECT, REAUTH, CR_RESPONSE): the TLS key id to answer client-auth/deny with. */
  keyId: number | undefined;
  /** ADDRESS: the virtual address or subnet now routed to this client. */
  address: string | undefined;
  /** ADDRESS: true for the primary address, false for an iroute. */
  primary: boolean | undefined;
  /** CR_RESPONSE: the client's base64 response. */
  response: string | undefined;
  /**
   * The environment OpenVPN passes along. On CONNECT/REAUTH it holds the client's `password`
   * when the server uses auth-user-pass: treat it as secret.
   */
  env: Record<string, string>;
  /** False when the connection ended before `>CLIENT:ENV,END` arrived. */
  complete: boolean;
}

/** Kinds that are followed by ENV lines and a closing `ENV,END`. */
const WITH_ENV = new Set(['CONNECT', 'REAUTH', 'ESTABLISHED', 'DISCONNECT', 'CR_RESPONSE']);

/**
 * Reassembles multi-line `>CLIENT:` notifications. OpenVPN guarantees a header, its ENV lines and
 * the closing `ENV,END` are sent together, but other notifications may come before or after.
 */
export class ClientNotificationAssembler {
  #pending: ClientEvent | undefined;

  /** Feeds the text after `>CLIENT:`; returns the notifications this line completed. */
  push(payload: string): ClientEvent[] {
    if (payload.startsWith('ENV,')) {
      const env = payload.slice(4);
      const pending = this.#pending;
      if (!pending) return [];
      if (env === 'END') {
        this.#pending = undefined;
        return [pending];
      }
      const eq = env.indexOf('=');
      if (eq < 0) pending.env[env] = '';
      else pending.env[env.slice(0, eq)] = env.slice(eq + 1);
      return [];
    }
    const done: ClientEvent[] = [];
    // A new header while one is open means its END never came; hand it over as incomplete.
    const open = this.flush();
    if (open) done.push(open);
    const event = parseHeader(payload);
    if (WITH_ENV.has(event.kind)) this.#pending = event;
    else done.push({ ...event, complete: true });
    return done;
  }

  /** The notification still waiting for `ENV,END`, marked incomplete, if any. */
  flush(): ClientEvent | undefined {
    const pending = this.#pending;
    this.#pending = undefined;
    return pending ? { ...pending, complete: false } : undefined;
  }
}

function parseHeader(payload: string): ClientEvent {
  const [kind = '', cid, second, third] = payload.split(',');
  const event: ClientEvent = {
    kind,
    clientId: parseCount(cid) ?? -1,
    keyId: undefined,
    address: undefined,
    primary: undefined,
    response: undefined,
    env: {},
    complete: true,
  };
  if (kind === 'ADDRESS') {
    event.address = second;
    event.primary = third === '1';
  } else if (kind === 'CONNECT' || kind === 'REAUTH' || kind === 'CR_RESPONSE') {
    event.keyId = parseCount(second);
    if (kind === 'CR_RESPONSE') event.response = third;
  }
  return event;
}
