/**
 * Why OpenVPN refused the gateway's certificate, read from one of its log lines, or undefined
 * when the line says nothing of the kind. The reasons name the check that failed in words an
 * operator can act on; the line itself is kept short and carries no secret.
 */
export function certificateRefusal(line: string): string | undefined {
  let m = /VERIFY X509NAME ERROR: (.*), must be (.*)$/.exec(line);
  if (m) return `its name (${m[1]?.trim()}) is not the expected ${m[2]?.trim()}`;
  // OpenSSL's purpose check says it first, OpenVPN's own EKU check otherwise.
  if (
    /VERIFY EKU ERROR/.test(line) ||
    /VERIFY ERROR: .*unsuitable certificate purpose/.test(line)
  ) {
    return 'it lacks the serverAuth extended key usage (TLS Web Server Authentication)';
  }
  if (/VERIFY KU ERROR/.test(line)) return 'its key usage does not allow a TLS server';
  m = /VERIFY ERROR: depth=(\d+), error=([^:]+)(?::\s*(.*))?$/.exec(line);
  if (m) {
    const error = m[2]?.trim() ?? 'unknown error';
    const subject = m[3]?.split(', serial=')[0]?.trim();
    const issuer =
      /unable to get (local )?issuer certificate|self[- ]signed|unable to verify the first/.test(
        error,
      )
        ? ' (not issued by the CA of this region)'
        : '';
    return `${error}${issuer}${subject ? ` for ${subject}` : ''} at depth ${m[1]}`;
  }
  return undefined;
}
