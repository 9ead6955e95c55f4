import { resolve } from 'node:path';

/**
 * Small programs tests start in other network namespaces, as built files (programs/*.ts
 * compiled by tsc). Resolved from the package root, so the same files are found whether this
 * module runs from dist/ or, in tests, from src/.
 */
const built = (name: string) => resolve(__dirname, '..', 'dist', 'programs', `${name}.js`);

/** A CONNECT proxy that posts health updates: see programs/connect-proxy.ts. */
export const CONNECT_PROXY_PATH = built('connect-proxy');

/** An HTTP server and TCP byte counter: see programs/counting-app.ts. */
export const COUNTING_APP_PATH = built('counting-app');
