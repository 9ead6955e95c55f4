/**
 * The sample private app server, run inside an app namespace by its built path: it answers
 * every request with which server it is (so round-robin shows), and `GET /stream?seconds=N`
 * sends a line every 100 ms for N seconds (an open stream, for drain tests). Listens on `::`
 * (IPv4 and IPv6) at the given port and prints `listening` once it does. `POST /echo` sends the
 * request body back as it arrives (a long stream whose every byte the client can check).
 *
 *   node dist/stack/programs/sample-app.js <server-name> <port>
 */
import { createServer } from 'node:http';

const [name, port] = process.argv.slice(2);
const server = createServer((req, res) => {
  res.setHeader('x-app-server', name ?? '');
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/echo' && req.method === 'POST') {
    req.pipe(res);
    return;
  }
  if (url.pathname === '/stream') {
    const ticks = Math.max(1, Math.round(Number(url.searchParams.get('seconds') || 1) * 10));
    let n = 0;
    const timer = setInterval(() => {
      n += 1;
      res.write(`tick ${n} from ${name}\n`);
      if (n >= ticks) {
        clearInterval(timer);
        res.end(`done from ${name}\n`);
      }
    }, 100);
    req.on('close', () => clearInterval(timer));
    return;
  }
  res.end(`hello from ${name} (${req.method} ${req.url})\n`);
});
server.listen({ port: Number(port), host: '::', ipv6Only: false }, () => console.log('listening'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
