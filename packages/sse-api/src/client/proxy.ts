import { SseClientConfigError } from './errors';

/** An HTTP forward proxy, split so the credentials never travel with the printable part. */
export interface ProxySettings {
  /** `http://host:port`, no credentials: safe to log. */
  readonly origin: string;
  /** The `Proxy-Authorization` header value when the URL carried credentials. */
  readonly authorization: string | undefined;
  /** The password (and the header), for a logger's secret list. */
  readonly secrets: readonly string[];
}

/** `http://host:port` with any `user:password@` replaced, for messages. */
export function redactProxyUrl(raw: string): string {
  return raw.replace(/\/\/[^/@]*@/, '//[redacted]@');
}

/**
 * Parses `http://[user:pass@]host:port`. Errors name the problem but never repeat the
 * credentials (they show the URL redacted).
 */
export function parseProxyUrl(raw: string): ProxySettings {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new SseClientConfigError(`proxy URL ${JSON.stringify(redactProxyUrl(raw))} is not a URL`);
  }
  const shown = redactProxyUrl(raw.trim());
  if (url.protocol !== 'http:') {
    throw new SseClientConfigError(`proxy URL ${shown} must start with http://`);
  }
  if (!url.hostname) throw new SseClientConfigError(`proxy URL ${shown} has no host`);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new SseClientConfigError(`proxy URL ${shown} must be only http://[user:pass@]host:port`);
  }
  const secrets: string[] = [];
  let authorization: string | undefined;
  if (url.username || url.password) {
    let user: string;
    let pass: string;
    try {
      user = decodeURIComponent(url.username);
      pass = decodeURIComponent(url.password);
    } catch {
      throw new SseClientConfigError(`proxy URL ${shown} has badly escaped credentials`);
    }
    authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    if (pass) secrets.push(pass, url.password);
    secrets.push(authorization.slice('Basic '.length));
  }
  const port = url.port || '80';
  return { origin: `http://${url.hostname}:${port}`, authorization, secrets };
}
