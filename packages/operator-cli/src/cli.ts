#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { setTimeout as wait } from 'node:timers/promises';
import { runCli } from './run-cli';

const stop = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort());
// A closed pipe (`pa-operator logs -f | head`) ends the command quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
});

runCli(process.argv.slice(2), {
  env: process.env,
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
  now: () => new Date(),
  signal: stop.signal,
  sleep: (ms) => wait(ms, undefined, { signal: stop.signal }).catch(() => undefined),
  readFile: (path) => readFile(path, 'utf8'),
}).then((code) => {
  process.exitCode = code;
});
