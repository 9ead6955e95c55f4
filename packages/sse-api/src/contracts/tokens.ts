import { type Static, Type } from '@sinclair/typebox';
import { Text, Timestamp } from './common';

/** A short-lived access token (token and refresh answer it). */
export const TokenResponse = Type.Object({
  accessToken: Text(),
  tokenType: Type.Literal('Bearer'),
  /** Seconds from issue. */
  expiresIn: Type.Number({ exclusiveMinimum: 0, description: 'a positive number' }),
  expiresAt: Timestamp,
});
export type TokenResponse = Static<typeof TokenResponse>;
