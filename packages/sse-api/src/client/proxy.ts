import {
  credentialSpellings,
  decodeUrlPart,
  redactUrl,
  splitUrlCredentials,
} from '@pa-connector/config';
import { SseClientConfigError } from './errors';

/** An HTTP forward proxy, split so the credentials never travel with the printable part. */
export interface ProxySettings {
  /** `http://host:port`, no credentials: safe to log. */
  readonly origin: string;
  /** The `Proxy-Authorization` header value when the URL carried credentials. */
  readonly authorization: string | undefined;
  /**
   * The user, the password and the header in every spelling they may take (as written, decoded,
   * percent-encoded), for a logger's secret list.
   */
  readonly secrets: readonly string[];
}

/** `http://host:port` with any `user:password@` replaced, for messages. */
export function redactProxyUrl(raw: string): string {
  return redactUrl(raw);
}

/**
 * Parses `http://[user:pass@]host:port`. The credentials are split off by position (up to the
 * last `@`), so a `/`, `:` or `@` typed into the password or an `@` in the user works whether or
 * not it was percent-encoded. Errors name the problem but never repeat the credentials.
 */
export function parseProxyUrl(raw: string): ProxySettings {
  const text = raw.trim();
  const shown = redactUrl(text);
  const creds = splitUrlCredentials(text);
  let url: URL;
  try {
    // Without its credentials: what is left is parsed by WHATWG URL as usual.
    url = new URL(creds ? `${creds.scheme}${creds.rest}` : text);
  } catch {
    throw new SseClientConfigError(`proxy URL ${JSON.stringify(shown)} is not a URL`);
  }
  if (url.protocol !== 'http:') {
    throw new SseClientConfigError(`proxy URL ${shown} must start with http://`);
  }
  if (!url.hostname) throw new SseClientConfigError(`proxy URL ${shown} has no host`);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new SseClientConfigError(`proxy URL ${shown} must be only http://[user:pass@]host:port`);
  }
  const port = url.port || '80';
  const origin = `http://${url.hostname}:${port}`;
  if (!creds || (creds.user === '' && !creds.password)) {
    return { origin, authorization: undefined, secrets: [] };
  }
  const user = decodeUrlPart(creds.user);
  const pass = decodeUrlPart(creds.password ?? '');
  const basic = Buffer.from(`${user}:${pass}`).toString('base64');
  const secrets = new Set([
    ...credentialSpellings(creds.user),
    ...credentialSpellings(creds.password ?? ''),
    // Together they are long enough to scrub even when each alone is too short.
    `${user}:${pass}`,
    `${creds.user}:${creds.password ?? ''}`,
    basic,
  ]);
  return { origin, authorization: `Basic ${basic}`, secrets: [...secrets] };
}
