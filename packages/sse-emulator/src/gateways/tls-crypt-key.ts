import { randomBytes } from 'node:crypto';

const HEADER = '-----BEGIN OpenVPN Static key V1-----';
const FOOTER = '-----END OpenVPN Static key V1-----';

/**
 * A 2048-bit OpenVPN static key in the format `openvpn --genkey tls-crypt` writes (16 lines of
 * 32 hex digits). Shared by a region's gateways and its connectors: it encrypts and authenticates
 * the TLS control channel, so a gateway answers nobody who lacks it.
 */
export function generateTlsCryptKey(random: (n: number) => Buffer = randomBytes): string {
  const hex = random(256).toString('hex');
  const lines = hex.match(/.{32}/g) ?? [];
  return `${HEADER}\n${lines.join('\n')}\n${FOOTER}\n`;
}

export function isTlsCryptKey(text: string): boolean {
  const body = text.trim().split('\n');
  return (
    body[0] === HEADER &&
    body[body.length - 1] === FOOTER &&
    body.length === 18 &&
    body.slice(1, -1).every((l) => /^[0-9a-f]{32}$/.test(l))
  );
}
