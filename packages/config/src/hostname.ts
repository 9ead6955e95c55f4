/** The longest host name DNS carries, in characters, without a trailing dot (RFC 1035). */
export const DNS_NAME_MAX_LENGTH = 253;

/** One label: letters, digits and inner dashes, 1 to 63 characters (RFC 1123). */
const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** True for one DNS label (`vm-01`), in any case. */
export function isLabel(text: string): boolean {
  return LABEL.test(text);
}

/**
 * True for an RFC 1123 host name: dot-separated labels, at most 253 characters, in any case.
 * No trailing dot and no IP literal: callers that take those say so themselves.
 */
export function isHostname(text: string): boolean {
  return text.length <= DNS_NAME_MAX_LENGTH && text.split('.').every(isLabel);
}
