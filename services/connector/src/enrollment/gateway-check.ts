import { CodedError } from '@pa-connector/config';

/**
 * The gateway the operator named does not resolve (yet): DNS may still be coming up, or the
 * name is mistyped. Retryable either way: enrollment keeps trying with its backoff and the log
 * says why on every try, so a typo shows in the log instead of stopping the POP for good.
 */
export class GatewayUnresolvedError extends CodedError {
  declare readonly code: 'gateway_unresolved';

  constructor(gateway: string, reason: string, options?: { cause?: unknown }) {
    super('gateway_unresolved', `gateway ${gateway} does not resolve: ${reason}`, {
      ...options,
      retryable: true,
    });
    this.name = 'GatewayUnresolvedError';
  }
}

/**
 * Checks that `gateway` resolves through `resolve` (the connector's own resolver), throwing a
 * GatewayUnresolvedError naming it otherwise.
 */
export async function checkGatewayResolves(
  gateway: string,
  resolve: (host: string) => Promise<unknown[]>,
): Promise<void> {
  let found: unknown[];
  try {
    found = await resolve(gateway);
  } catch (err) {
    throw new GatewayUnresolvedError(gateway, (err as Error).message, { cause: err });
  }
  if (found.length === 0) throw new GatewayUnresolvedError(gateway, 'no address');
}
