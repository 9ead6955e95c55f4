import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ERROR_RESPONSES } from '@pa-connector/service-runtime';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';

/** The page's files, next to src/ and dist/ in the package. */
const STATIC_DIR = join(__dirname, '..', '..', 'static');

const FILES = [
  { path: '/', file: 'index.html', type: 'text/html; charset=utf-8' },
  { path: '/status-page.js', file: 'status-page.js', type: 'text/javascript; charset=utf-8' },
  { path: '/status-page.css', file: 'status-page.css', type: 'text/css; charset=utf-8' },
] as const;

/** Only this service's own files and /status: no CDN, no inline script. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const STATUS_PAGE_PATHS: readonly string[] = FILES.map((f) => f.path);

/** The status page: plain HTML, JS and CSS served from memory (read once at registration). */
export const statusPageRoutes: FastifyPluginAsync<{ dir?: string }> = async (app, o) => {
  const dir = o.dir ?? STATIC_DIR;
  for (const f of FILES) {
    const body = await readFile(join(dir, f.file));
    // The file's bytes go out as they are (fastify serializes only JSON answers).
    const schema = { response: { 200: Type.String({ description: f.type }), ...ERROR_RESPONSES } };
    app.get(f.path, { schema }, async (_req, reply) =>
      reply
        .type(f.type)
        .header('cache-control', 'no-cache')
        .header('content-security-policy', CSP)
        .header('x-content-type-options', 'nosniff')
        .send(body),
    );
  }
};
