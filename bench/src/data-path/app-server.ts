#!/usr/bin/env node
/**
 * The app server of the data-path bench, run inside the app namespace. One port; the first byte
 * a client sends picks what the connection does:
 *
 *   S  sink: counts every byte after it; when the client half-closes, answers `<count>\n` and ends
 *   E  echo: sends back every byte after it (ping-pong, connection rate, held connections)
 *
 * A connection that closes before sending anything (a health probe) is just counted.
 * Prints `{"event":"listening","port":N}` once it listens; stops on SIGTERM.
 *
 *   node bench/dist/data-path/app-server.js --host 10.1.2.3 --port 0
 */
import { createServer, type Socket } from 'node:net';
import { flag } from './cli-args';

const SINK = 0x53; // 'S'
const ECHO = 0x45; // 'E'

function serve(socket: Socket): void {
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  socket.once('data', (first: Buffer) => {
    const mode = first[0];
    const rest = first.subarray(1);
    if (mode === SINK) {
      let bytes = rest.length;
      socket.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      socket.once('end', () => socket.end(`${bytes}\n`));
    } else if (mode === ECHO) {
      if (rest.length > 0) socket.write(rest);
      socket.pipe(socket);
    } else {
      socket.end(`unknown mode byte ${mode}\n`);
    }
  });
}

function main(): void {
  const host = flag('host', '0.0.0.0');
  const port = Number(flag('port', '0'));
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error('--port must be a TCP port (0: any)');
  // allowHalfOpen: a sink answers after the client's FIN.
  const server = createServer({ allowHalfOpen: true, noDelay: true }, serve);
  server.maxConnections = 1_000_000;
  server.listen({ host, port, backlog: 4096 }, () => {
    const a = server.address();
    const bound = typeof a === 'object' && a ? a.port : port;
    process.stdout.write(`${JSON.stringify({ event: 'listening', host, port: bound })}\n`);
  });
  server.on('error', (err) => {
    process.stderr.write(`app-server: ${err.message}\n`);
    process.exit(1);
  });
  process.once('SIGTERM', () => process.exit(0));
}

main();
