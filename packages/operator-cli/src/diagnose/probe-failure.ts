export type ProbeStep = 'dns' | 'tcp' | 'proxy' | 'tls';

/** A live check that did not get through, with the step it stopped at. */
export class ProbeFailure extends Error {
  constructor(
    readonly step: ProbeStep,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProbeFailure';
  }
}

/** A socket or resolver error in a few words, with its code. */
export function describeError(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { reason?: string };
  switch (e?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ETIMEDOUT':
      return 'timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route to host';
    case 'ECONNRESET':
      return 'connection reset';
    case 'ENOTFOUND':
      return 'name not found';
    case 'EAI_AGAIN':
    case 'ESERVFAIL':
      return 'name server failed to answer';
    case 'ENODATA':
      return 'no address for this name';
    case 'ECONNREFUSED_DNS':
      return 'name server refused';
    default:
      return e?.code ? `${e.message.replace(/^\w+\s/, '')} (${e.code})` : String(e?.message ?? err);
  }
}
