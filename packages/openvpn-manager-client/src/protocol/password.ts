/** A static challenge (`--static-challenge`) attached to a credentials request. */
export interface StaticChallenge {
  /** True when the user's response may be shown as typed. */
  echo: boolean;
  /** The raw flag number after `SC:` (bit 0 = echo; newer versions add bits). */
  flags: number;
  text: string;
}

/** A dynamic challenge (CRV1) sent by the server with an authentication failure. */
export interface DynamicChallenge {
  /** Flags as sent, e.g. ['R', 'E']: R = a response is required, E = echo it. */
  flags: string[];
  responseRequired: boolean;
  echo: boolean;
  /** Opaque id to send back as `CRV1::<stateId>::<response>`. */
  stateId: string;
  /** The username, decoded from base64. */
  username: string;
  text: string;
}

export type PasswordEvent =
  | {
      kind: 'need';
      /** The credential type to answer with, e.g. `Auth`, `Private Key`, `HTTP Proxy`. */
      type: string;
      /** What to send: `password` alone, or `username/password`. */
      needs: 'password' | 'username/password';
      staticChallenge: StaticChallenge | undefined;
      raw: string;
    }
  | {
      kind: 'verification-failed';
      /** `Auth`, `Private Key`, ... (or the server's custom text, from old servers). */
      type: string;
      /** The server's client-reason-text, when it sent one (`['...']`). */
      reason: string | undefined;
      dynamicChallenge: DynamicChallenge | undefined;
      raw: string;
    }
  | {
      kind: 'auth-token';
      /** The session token the server pushed. Secret: do not log it. */
      token: string;
      raw: string;
    }
  | { kind: 'other'; raw: string };

const NEED = /^Need '([^']*)' (username\/password|password)(?: SC:(\d+),(.*))?$/;
const FAILED = /^Verification Failed: '([^']*)'(?: \['(.*)'\])?$/;
const CRV1 = /^CRV1:([^:]*):([^:]*):([^:]*):(.*)$/;

export function parsePasswordPayload(raw: string): PasswordEvent {
  const need = NEED.exec(raw);
  if (need) {
    const [, type = '', needs, flags, text] = need;
    const staticChallenge =
      flags !== undefined
        ? { echo: (Number(flags) & 1) === 1, flags: Number(flags), text: text ?? '' }
        : undefined;
    return {
      kind: 'need',
      type,
      needs: needs === 'password' ? 'password' : 'username/password',
      staticChallenge,
      raw,
    };
  }
  const failed = FAILED.exec(raw);
  if (failed) {
    const [, type = '', reason] = failed;
    return {
      kind: 'verification-failed',
      type,
      reason,
      dynamicChallenge: reason === undefined ? undefined : parseDynamicChallenge(reason),
      raw,
    };
  }
  if (raw.startsWith('Auth-Token:')) {
    return { kind: 'auth-token', token: raw.slice('Auth-Token:'.length), raw };
  }
  return { kind: 'other', raw };
}

function parseDynamicChallenge(reason: string): DynamicChallenge | undefined {
  const m = CRV1.exec(reason);
  if (!m) return undefined;
  const [, flagText = '', stateId = '', user = '', text = ''] = m;
  const flags = flagText.split(',').filter((f) => f !== '');
  return {
    flags,
    responseRequired: flags.includes('R'),
    echo: flags.includes('E'),
    stateId,
    username: Buffer.from(user, 'base64').toString('utf8'),
    text,
  };
}
