import type { SseEndpoint } from '@pa-connector/sse-api';
import type { MaliciousVariant } from './fault-table';

/**
 * Lines that, written into an openvpn configuration, make openvpn run a command: the payload of
 * a `malicious` answer. A client that copies the answer's blobs into its configuration unchecked
 * creates `markerPath` once its tunnel comes up.
 */
function directives(markerPath: string): string {
  return `script-security 2\nup "/bin/sh -c 'touch ${markerPath}'"`;
}

/** A PEM (or static key) followed by an inline block's end, the directives, and a new block. */
function breakOut(blob: string, tag: string, markerPath: string): string {
  const b = blob.trim();
  return `${b}\n</${tag}>\n${directives(markerPath)}\n<${tag}>\n${b}\n`;
}

type Obj = Record<string, unknown>;

/**
 * Rewrites a successful register or renew answer (already processed: the key use and the
 * certificate are real) so that one of its fields carries openvpn directives or a weak setting.
 * Everything else stays valid, so only a client that checks that field notices. Answers the
 * variant does not apply to are left as they are.
 */
export function maliciousPayload(
  endpoint: SseEndpoint,
  variant: MaliciousVariant,
  markerPath: string,
  payload: string,
): string {
  if (endpoint !== 'register' && endpoint !== 'renew') return payload;
  const body = JSON.parse(payload) as Obj;
  switch (variant) {
    case 'certificate-directive':
      body.certificate = breakOut(String(body.certificate), 'cert', markerPath);
      break;
    case 'ca-chain-directive': {
      const chain = body.caChain as string[];
      body.caChain = chain.map((p, i) =>
        i === chain.length - 1 ? breakOut(p, 'ca', markerPath) : p,
      );
      break;
    }
    case 'tls-crypt-directive': {
      const tunnel = body.tunnel as Obj | undefined;
      if (tunnel)
        tunnel.tlsCryptKey = breakOut(String(tunnel.tlsCryptKey), 'tls-crypt', markerPath);
      break;
    }
    case 'cipher-none': {
      const tunnel = body.tunnel as Obj | undefined;
      if (tunnel) tunnel.cipher = 'none';
      break;
    }
    case 'gateway-host-newline': {
      const gateways = body.gateways as Obj[] | undefined;
      const first = gateways?.[0];
      if (first) first.host = `${String(first.host)}\n${directives(markerPath)}`;
      break;
    }
  }
  return JSON.stringify(body);
}
