import { FormatRegistry } from '@sinclair/typebox';

/**
 * Formats the contracts use, registered for TypeBox's own checks (fastify's ajv knows them
 * already). A timestamp is anything `Date.parse` reads: the SSE writes ISO 8601 in UTC.
 */
if (!FormatRegistry.Has('date-time')) {
  FormatRegistry.Set('date-time', (value) => !Number.isNaN(Date.parse(value)));
}
