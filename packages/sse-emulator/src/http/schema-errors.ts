import type { FastifySchemaValidationError } from 'fastify';
import { invalidRequest } from '../errors';

/** The subset of a JSON schema the messages read (ajv runs with `verbose` to hand it over). */
interface SchemaLike {
  description?: string;
  type?: string | string[];
  const?: unknown;
  anyOf?: SchemaLike[];
  properties?: Record<string, SchemaLike>;
}

type AjvError = FastifySchemaValidationError & { parentSchema?: SchemaLike };

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  array: 'an array',
  object: 'a JSON object',
  null: 'null',
};

/** What a value must be, in words: the schema's own description first. */
function expectation(schema: SchemaLike | undefined): string | undefined {
  if (!schema) return undefined;
  if (schema.description) return schema.description;
  if (schema.anyOf?.every((s) => s.const !== undefined)) {
    return `one of ${schema.anyOf.map((s) => String(s.const)).join(', ')}`;
  }
  const type = [schema.type ?? []].flat()[0];
  return type ? TYPE_WORDS[type] : undefined;
}

/** `/apps/0/id` → `apps[0].id`; the part itself (`body`) when the path is empty. */
function fieldName(dataVar: string, instancePath: string, child?: string): string {
  const parts = instancePath.split('/').slice(1);
  if (child !== undefined) parts.push(child);
  const name = parts
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((out, p) => (/^\d+$/.test(p) ? `${out}[${p}]` : out ? `${out}.${p}` : p), '');
  return name || dataVar;
}

/**
 * The error a union reports for itself, rather than its first branch's complaint ("must be
 * equal to constant"), when both are about the same value.
 */
function telling(errors: AjvError[]): AjvError {
  const first = errors[0] as AjvError;
  const union = errors.find((e) => e.keyword === 'anyOf' && e.instancePath === first.instancePath);
  return union ?? first;
}

/** One sentence naming the field and what it must be (never the value sent). */
export function describeValidationError(errors: AjvError[], dataVar: string): string {
  const e = telling(errors);
  const params = e.params as { missingProperty?: string; additionalProperty?: string };
  if (e.keyword === 'required' && params.missingProperty !== undefined) {
    const field = fieldName(dataVar, e.instancePath, params.missingProperty);
    const wanted = expectation(e.parentSchema?.properties?.[params.missingProperty]);
    return wanted ? `${field} must be ${wanted}` : `${field} is missing`;
  }
  if (e.keyword === 'additionalProperties' && params.additionalProperty !== undefined) {
    const field = fieldName(dataVar, e.instancePath, params.additionalProperty);
    const known = Object.keys(e.parentSchema?.properties ?? {});
    return `${field} is not one of the known fields (${known.join(', ')})`;
  }
  const field = fieldName(dataVar, e.instancePath);
  const wanted = expectation(e.parentSchema);
  return wanted ? `${field} must be ${wanted}` : `${field} ${e.message ?? 'is not valid'}`;
}

/** fastify's schemaErrorFormatter: a 400 `invalid_request` naming the field. */
export function schemaErrorFormatter(errors: FastifySchemaValidationError[], dataVar: string) {
  return invalidRequest(describeValidationError(errors as AjvError[], dataVar));
}

/**
 * Options for both listeners' fastify: bodies are taken as sent (no type coercion, no silent
 * removal of unknown fields: a schema that closes an object refuses them), and ajv hands the
 * failing schema to the messages.
 */
export const schemaOptions = {
  ajv: { customOptions: { coerceTypes: false, removeAdditional: false, verbose: true } },
  schemaErrorFormatter,
} as const;
