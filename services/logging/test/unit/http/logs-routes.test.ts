import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry } from '@pa-connector/metrics';
import { createServiceServer } from '@pa-connector/service-runtime';
import { loggingApp } from '../../../src/app';
import { TailHub } from '../../../src/tail/tail-hub';

async function app() {
  const dir = mkdtempSync(join(tmpdir(), 'pa-routes-'));
  writeFileSync(
    join(dir, 'update.log'),
    '{"logId":"1-0","level":"info","time":"2026-05-01T12:00:00.000Z","service":"update","msg":"hello"}\n' +
      '{"logId":"2-0","level":"error","time":"2026-05-01T12:00:01.000Z","service":"update","msg":"boom"}\n',
  );
  const a = await createServiceServer({
    service: 'logging',
    version: '1',
    registry: createRegistry('logging'),
    checks: [],
  });
  await a.register(loggingApp, { logs: { dir, hub: new TailHub() } });
  return a;
}

describe('log routes', () => {
  it('GET /logs searches the files', async () => {
    const a = await app();
    const res = await a.inject('/logs?service=update&level=error');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      count: 1,
      truncated: false,
      entries: [expect.objectContaining({ logId: '2-0', msg: 'boom' })],
    });
    await a.close();
  });

  it('answers 400 with a code and a message naming the bad parameter', async () => {
    const a = await app();
    for (const [url, message] of [
      ['/logs?level=loud', /^querystring\.level must be equal to one of the allowed values$/],
      ['/logs?limit=-1', /^querystring\.limit must be >= 1$/],
      ['/logs?limit=10001', /^querystring\.limit must be <= 10000$/],
      ['/logs?level=info&level=warn', /^querystring\.level must be string/],
      [`/logs?q=${'x'.repeat(201)}`, /^querystring\.q must NOT have more than 200 characters$/],
      ['/logs/tail?backlog=many', /^querystring\.backlog must be integer$/],
      ['/logs/tail?backlog=1001', /^querystring\.backlog must be <= 1000$/],
      ['/logs/tail?service=a/b', /^service: not a service name/],
      ['/logs?since=soon', /^since:/],
    ] as const) {
      const res = await a.inject(url);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: { code: 'invalid_query', message: expect.any(String) } });
      expect(res.json().error.message).toMatch(message);
    }
    await a.close();
  });

  it('GET /logs/files lists what is on disk', async () => {
    const a = await app();
    expect((await a.inject('/logs/files')).json()).toEqual({
      files: [
        {
          name: 'update.log',
          service: 'update',
          kind: 'active',
          bytes: expect.any(Number),
          modified: expect.any(String),
        },
      ],
    });
    await a.close();
  });
});
