/** Longest health-check path (with its query) accepted from the catalog. */
const MAX_PATH_LENGTH = 2048;

// RFC 3986: pchar = unreserved / pct-encoded / sub-delims / ":" / "@"; a path-absolute is
// "/" followed by segments of pchars, a query is pchars plus "/" and "?". A fragment is never
// sent to a server, so it has no place here.
const PCHAR = "[A-Za-z0-9\\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2}";
const ORIGIN_FORM = new RegExp(`^/(?:${PCHAR}|/)*(?:\\?(?:${PCHAR}|[/?])*)?$`);

/**
 * Why `path` cannot be the request target of an HTTP health check (origin form: an absolute
 * path and an optional query, RFC 3986 characters only, percent-encodings well formed), or
 * undefined when it can. Node's HTTP client throws on some of what this refuses (a space, a
 * control character), and sends other bytes as they are.
 */
export function requestPathProblem(path: string): string | undefined {
  if (path.length === 0 || path[0] !== '/') return 'must start with "/"';
  if (path.length > MAX_PATH_LENGTH) return `is longer than ${MAX_PATH_LENGTH} characters`;
  if (ORIGIN_FORM.test(path)) return undefined;
  if (path.includes('#')) return 'must not hold a fragment ("#")';
  const bad = [...path].find((ch, i) => {
    if (ch === '%') return !/^%[0-9A-Fa-f]{2}/.test(path.slice(i));
    return !/^[A-Za-z0-9\-._~!$&'()*+,;=:@/?]$/.test(ch);
  });
  if (bad === '%') return 'holds a "%" that is not followed by two hex digits';
  const code = bad?.codePointAt(0) ?? 0;
  return `holds a character not allowed in a URL path (U+${code.toString(16).toUpperCase().padStart(4, '0')}); percent-encode it`;
}
