import { isHostname } from '@pa-connector/config';

/**
 * Why `hostname` is not an RFC 1123 host name shorter than 64 characters (the POP is shown
 * under it), or undefined when it is fine.
 */
export function hostnameProblem(hostname: string): string | undefined {
  if (hostname.length === 0) return 'hostname is empty';
  if (hostname.length >= 64)
    return `hostname must be shorter than 64 characters (${hostname.length})`;
  if (!isHostname(hostname)) {
    return `hostname "${hostname}" is not an RFC 1123 host name (letters, digits, inner dashes, dot-separated labels)`;
  }
  return undefined;
}
