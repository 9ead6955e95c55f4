import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CatalogApp } from '@pa-connector/sse-api';
import { CATALOG_FILE, CatalogFile } from '../../../src/catalog/catalog-file';
import { captureLogger } from '../../support/capture-logger';

const app: CatalogApp = {
  id: 'wiki',
  name: 'Wiki',
  host: 'wiki.corp',
  port: 443,
  servers: [{ host: '10.0.0.5', port: 8443 }],
  strategy: 'round-robin',
  healthCheck: { type: 'http', path: '/health', expectStatus: 200 },
};
const stored = {
  etag: '"7"',
  snapshot: {
    version: '7',
    syncedAt: '2026-12-02T10:00:00.000Z',
    apps: [app],
    rejected: [{ index: 1, id: 'bad', reason: 'port 0 is not a whole number from 1 to 65535' }],
  },
};

describe('CatalogFile', () => {
  let dir: string;
  let file: CatalogFile;
  let lines: string[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pa-catalog-file-'));
    const c = captureLogger();
    lines = c.lines;
    file = new CatalogFile(dir, c.logger);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores the catalog and its ETag in a 0600 file and reads them back', async () => {
    await file.save('con_1', stored);
    expect(statSync(join(dir, CATALOG_FILE)).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual([CATALOG_FILE]);
    expect(await file.load('con_1')).toEqual(stored);
  });

  it('has nothing when no file was written, without a warning', async () => {
    expect(await file.load('con_1')).toBeUndefined();
    expect(lines).toEqual([]);
  });

  it("ignores another connector's catalog", async () => {
    await file.save('con_1', stored);
    expect(await file.load('con_2')).toBeUndefined();
    expect(lines.join('\n')).toContain('written for another connector id');
  });

  it.each([
    ['not JSON', '{"format":1,'],
    ['not an object', '[]'],
    ['of an unknown format', '{"format":2}'],
    [
      'holding an app that fails validation',
      JSON.stringify({
        format: 1,
        connectorId: 'con_1',
        version: '1',
        syncedAt: 'x',
        apps: [{ ...app, healthCheck: { type: 'http', path: '/health check' } }],
        rejected: [],
      }),
    ],
  ])('logs and ignores a file %s', async (_what, text) => {
    writeFileSync(join(dir, CATALOG_FILE), text, { mode: 0o600 });
    expect(await file.load('con_1')).toBeUndefined();
    expect(lines.join('\n')).toContain('stored catalog unusable; ignored');
  });

  it('logs and ignores an unreadable file', async () => {
    // A directory where the file should be: reading it fails with EISDIR, whoever runs the test.
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, CATALOG_FILE)));
    expect(await file.load('con_1')).toBeUndefined();
    expect(lines.join('\n')).toContain('stored catalog unreadable; ignored');
  });

  it('removes what an interrupted write left behind', async () => {
    writeFileSync(join(dir, `.${CATALOG_FILE}.abcdef.tmp`), 'half', { mode: 0o600 });
    await file.save('con_1', stored);
    expect(await file.load('con_1')).toEqual(stored);
    expect(readdirSync(dir)).toEqual([CATALOG_FILE]);
  });
});
