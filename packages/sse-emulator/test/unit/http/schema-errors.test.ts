import type { FastifySchemaValidationError } from 'fastify';
import { EmulatorError } from '../../../src/errors';
import { schemaErrorFormatter } from '../../../src/http/schema-errors';

type Raw = FastifySchemaValidationError & { parentSchema?: unknown; data?: unknown };

const message = (errors: Raw[], dataVar = 'body') => schemaErrorFormatter(errors, dataVar).message;

describe('schemaErrorFormatter', () => {
  it('is a 400 invalid_request', () => {
    const e = schemaErrorFormatter(
      [
        {
          keyword: 'type',
          instancePath: '',
          schemaPath: '#/type',
          params: {},
          message: 'must be object',
        },
      ],
      'body',
    );
    expect(e).toBeInstanceOf(EmulatorError);
    expect(e).toMatchObject({ code: 'invalid_request', statusCode: 400 });
  });

  it('names a missing field with what it must be', () => {
    const parentSchema = { type: 'object', properties: { apps: { type: 'array' } } };
    expect(
      message([
        {
          keyword: 'required',
          instancePath: '',
          schemaPath: '#/required',
          params: { missingProperty: 'apps' },
          parentSchema,
        },
      ]),
    ).toBe('apps must be an array');
  });

  it('speaks of a union as a whole, not of its first branch', () => {
    const union = { anyOf: [{ const: 'up' }, { const: 'down' }] };
    expect(
      message([
        {
          keyword: 'const',
          instancePath: '/apps/0/state',
          schemaPath: '#/anyOf/0/const',
          params: {},
          parentSchema: { const: 'up' },
        },
        {
          keyword: 'anyOf',
          instancePath: '/apps/0/state',
          schemaPath: '#/anyOf',
          params: {},
          parentSchema: union,
        },
      ]),
    ).toBe('apps[0].state must be one of up, down');
  });

  it('names an unknown field of a closed object', () => {
    const parentSchema = { type: 'object', properties: { logging: {}, connector: {} } };
    expect(
      message([
        {
          keyword: 'additionalProperties',
          instancePath: '/images',
          schemaPath: '#/additionalProperties',
          params: { additionalProperty: 'db' },
          parentSchema,
        },
      ]),
    ).toBe('images.db is not one of the known fields (logging, connector)');
  });

  it('uses the schema description, else the validator word, for the failing place', () => {
    expect(
      message(
        [
          {
            keyword: 'pattern',
            instancePath: '/endpoint',
            schemaPath: '#/pattern',
            params: {},
            message: 'must match pattern',
            parentSchema: { type: 'string', description: 'a name' },
          },
        ],
        'params',
      ),
    ).toBe('endpoint must be a name');
    expect(
      message([
        {
          keyword: 'format',
          instancePath: '/x',
          schemaPath: '#/format',
          params: {},
          message: 'must match format',
        },
      ]),
    ).toBe('x must match format');
  });

  it('drops the judged values, so a body (and the key in it) never reaches a log', () => {
    const errors: Raw[] = [
      {
        keyword: 'required',
        instancePath: '',
        schemaPath: '#/required',
        params: { missingProperty: 'csr' },
        data: { provisioningKey: 'eyJzZWNyZXQiOiJ0b3Atc2VjcmV0In0' },
      },
    ];
    schemaErrorFormatter(errors, 'body');
    expect(JSON.stringify(errors)).not.toContain('eyJzZWNyZXQiOiJ0b3Atc2VjcmV0In0');
  });
});
