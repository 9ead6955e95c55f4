/**
 * A sample app for tests: HTTP that names itself and counts its requests, and a TCP byte counter
 * that answers after the client's EOF. Prints `{"event":"listening"}` once both listen.
 *
 *   node dist/programs/counting-app.js <host> <http-port> <count-port> <name>
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';

const [host, httpPort, countPort, name] = process.argv.slice(2);
let n = 0;
const web = createHttpServer((_req, res) => {
  n += 1;
  res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
  res.end(`hello from ${name} #${n}\n`);
});
const counter = createServer({ allowHalfOpen: true }, (s) => {
  let bytes = 0;
  s.on('data', (c: Buffer) => {
    bytes += c.length;
  });
  s.on('end', () => s.end(`bytes=${bytes}\n`));
  s.on('error', () => s.destroy());
});
let up = 0;
const ready = () => {
  up += 1;
  if (up === 2) process.stdout.write(`${JSON.stringify({ event: 'listening' })}\n`);
};
web.listen(Number(httpPort), host, ready);
counter.listen(Number(countPort), host, ready);
process.on('SIGTERM', () => process.exit(0));
