import { SseErrorCode, type TokenResponse } from '@pa-connector/sse-api';
import { EmulatorError } from '../errors';
import { digestsEqual, sha256Hex } from './secrets';
import type { StateContext } from './state-context';

/** A connector's one active access token, persisted in its connector record (hash only). */
export interface TokenRecord {
  id: string;
  /** sha256 of the one active access token. */
  tokenSha256: string | null;
  tokenExpiresAt: string | null;
}

/** Short-lived bearer tokens: one active per connector, only its hash kept. */
export class Tokens {
  constructor(
    private readonly ctx: StateContext,
    private readonly lifetimeSeconds: number,
  ) {}

  /** A new token; the connector's previous token stops working. */
  issue(record: TokenRecord): TokenResponse {
    const token = this.ctx.random(32).toString('base64url');
    const now = this.ctx.clock.now();
    const expiresAt = new Date(now.getTime() + this.lifetimeSeconds * 1000);
    record.tokenSha256 = sha256Hex(token);
    record.tokenExpiresAt = expiresAt.toISOString();
    return {
      accessToken: token,
      tokenType: 'Bearer',
      expiresIn: this.lifetimeSeconds,
      expiresAt: record.tokenExpiresAt,
    };
  }

  /** The bearer must be the connector's one active token and not expired. */
  check(record: TokenRecord, bearer: string | undefined): void {
    if (!bearer) {
      throw new EmulatorError(SseErrorCode.tokenInvalid, 'missing Authorization: Bearer token');
    }
    if (record.tokenSha256 === null || !digestsEqual(record.tokenSha256, sha256Hex(bearer))) {
      throw new EmulatorError(
        SseErrorCode.tokenInvalid,
        `the bearer token is not the current token of ${record.id}`,
      );
    }
    const expiresAt = record.tokenExpiresAt ? Date.parse(record.tokenExpiresAt) : 0;
    if (this.ctx.clock.now().getTime() >= expiresAt) {
      throw new EmulatorError(
        SseErrorCode.tokenExpired,
        `the bearer token expired at ${record.tokenExpiresAt}`,
      );
    }
  }

  refresh(record: TokenRecord, bearer: string | undefined): TokenResponse {
    this.check(record, bearer);
    return this.issue(record);
  }
}
