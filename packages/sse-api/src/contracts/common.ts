import { type Static, type TSchema, Type } from '@sinclair/typebox';
import './formats';

/** A string that says something: empty strings are refused like missing ones. */
export const Text = (description?: string) =>
  Type.String({ minLength: 1, ...(description ? { description } : {}) });

/** An ISO 8601 timestamp (UTC). */
export const Timestamp = Type.String({ format: 'date-time', description: 'a date' });

/** One PEM certificate (the text may carry more around it; the connector checks it further). */
export const PemCertificate = Type.String({
  pattern: '-----BEGIN CERTIFICATE-----',
  description: 'a PEM certificate',
});

/** A TCP or UDP port. */
export const Port = Type.Integer({ minimum: 1, maximum: 65535, description: 'a port 1-65535' });

/** What every ingest endpoint answers (202): how many items it took. */
export const AcceptedResponse = Type.Object({ accepted: Type.Number() });
export type AcceptedResponse = Static<typeof AcceptedResponse>;

/** No body: what a bodiless POST (token, refresh) may carry is ignored; a 204 or 304 sends none. */
export const NoBody = Type.Unknown({ description: 'no body' });

/** Marks a schema as nullable on the wire (`null` when there is nothing). */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
