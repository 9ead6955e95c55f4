/**
 * A URL's credentials, split from the rest by position. WHATWG URL refuses (or misreads) what
 * people type into proxy settings: an unencoded `/` or `@` in a password, an e-mail address as
 * the user. Here the userinfo is everything between `scheme://` and the LAST `@`, the user is
 * what comes before its first `:`, so none of those characters moves a credential into the host.
 */
export interface UrlCredentials {
  /** `scheme://` */
  readonly scheme: string;
  /** The user as written (maybe percent-encoded). */
  readonly user: string;
  /** The password as written; undefined when the userinfo has no `:`. */
  readonly password: string | undefined;
  /** What follows the `@`: host, port, maybe a path. */
  readonly rest: string;
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)/;

/** The credentials of `raw` (a URL and nothing else), or undefined when it has none. */
export function splitUrlCredentials(raw: string): UrlCredentials | undefined {
  const m = SCHEME.exec(raw);
  if (!m) return undefined;
  const scheme = m[1] as string;
  const body = raw.slice(scheme.length);
  const at = body.lastIndexOf('@');
  if (at < 0) return undefined;
  const userinfo = body.slice(0, at);
  const colon = userinfo.indexOf(':');
  return {
    scheme,
    user: colon < 0 ? userinfo : userinfo.slice(0, colon),
    password: colon < 0 ? undefined : userinfo.slice(colon + 1),
    rest: body.slice(at + 1),
  };
}

/** `part` with its percent escapes decoded; as written when they are not valid escapes. */
export function decodeUrlPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * Every spelling a credential may take in a message: as written, decoded, percent-encoded as
 * encodeURIComponent does it and as WHATWG URL does it for a userinfo.
 */
export function credentialSpellings(part: string): string[] {
  const decoded = decodeUrlPart(part);
  const url = new URL('http://h');
  url.password = decoded;
  return [...new Set([part, decoded, encodeURIComponent(decoded), url.password])].filter(
    (s) => s !== '',
  );
}

/** A URL with its credentials replaced, for messages. */
export function redactUrl(raw: string): string {
  const c = splitUrlCredentials(raw);
  return c ? `${c.scheme}[redacted]@${c.rest}` : raw;
}

// A scheme, then everything up to the last `@` of the same word (a password may hold `/` and
// `@`): over-redacting a path that holds an `@` is the safe side.
const URL_USERINFO = /\b([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^\s"'<>]*@/g;

/**
 * `text` with the credentials of every URL in it replaced by `[redacted]`, whatever their length:
 * a one-letter password is caught by where it stands, not by what it is.
 */
export function redactUrlCredentials(text: string): string {
  if (!text.includes('://')) return text;
  return text.replace(URL_USERINFO, '$1[redacted]@');
}
