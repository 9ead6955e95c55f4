/**
 * A provisioning key is `pak1.<keyId>.<secret>`: keyId is 16 lowercase hex characters (public,
 * shown in listings), secret is 43 base64url characters (32 random bytes). The SSE stores only a
 * hash of the secret. A key that does not match this shape is malformed and is never sent.
 */
export const PROVISIONING_KEY_PATTERN = /^pak1\.([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/;

export interface ParsedProvisioningKey {
  keyId: string;
  secret: string;
}

export function parseProvisioningKey(key: string): ParsedProvisioningKey | undefined {
  const m = PROVISIONING_KEY_PATTERN.exec(key.trim());
  if (!m) return undefined;
  return { keyId: m[1] as string, secret: m[2] as string };
}

export function formatProvisioningKey(keyId: string, secret: string): string {
  return `pak1.${keyId}.${secret}`;
}
