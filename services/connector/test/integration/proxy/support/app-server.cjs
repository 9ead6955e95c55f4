// A tiny app server for data-path tests. Usage: node app-server.cjs <name> <port> [host]
// The first line a client sends picks what it does:
//   GET ...   -> an HTTP 200 answer whose body is the server's name (health checks)
//   who       -> "<name>\n", then echo
//   wait-end  -> reads until the client half-closes, then "<name> got <n> bytes\n" and FIN
//   flood     -> writes as fast as the client (with backpressure) takes it
//   stats     -> "<bytes written by flood so far>\n"
//   hold      -> "<name>\n", keeps the connection open silently
//   conns     -> "<connections accepted before this one>\n"
const net = require('node:net');
const [name, port, host] = process.argv.slice(2);
let flooded = 0;
let accepted = 0;
const chunk = Buffer.alloc(64 * 1024, 120);
const server = net.createServer({ allowHalfOpen: true }, (s) => {
  accepted++;
  s.on('error', () => {});
  let buf = '';
  let command = false;
  // A client that leaves before saying what it wants gets a FIN back.
  s.once('end', () => {
    if (!command) s.end();
  });
  const onData = (d) => {
    buf += d.toString('latin1');
    const i = buf.indexOf('\n');
    if (i < 0) return;
    s.off('data', onData);
    command = true;
    const line = buf.slice(0, i).replace(/\r$/, '');
    const rest = buf.slice(i + 1);
    if (line.startsWith('GET ')) {
      s.end(
        `HTTP/1.1 200 OK\r\nContent-Length: ${name.length}\r\nConnection: close\r\n\r\n${name}`,
      );
    } else if (line === 'who') {
      s.write(`${name}\n`);
      if (rest) s.write(rest);
      s.pipe(s);
    } else if (line === 'wait-end') {
      let n = rest.length;
      s.on('data', (x) => {
        n += x.length;
      });
      s.on('end', () => s.end(`${name} got ${n} bytes\n`));
    } else if (line === 'flood') {
      const more = () => {
        while (!s.destroyed) {
          flooded += chunk.length;
          if (!s.write(chunk)) return;
        }
      };
      s.on('drain', more);
      s.resume();
      more();
    } else if (line === 'stats') {
      s.end(`${flooded}\n`);
    } else if (line === 'conns') {
      s.end(`${accepted - 1}\n`);
    } else if (line === 'hold') {
      s.write(`${name}\n`);
      s.resume();
      s.on('end', () => s.end());
    } else {
      s.end(`unknown command ${line}\n`);
    }
  };
  s.on('data', onData);
});
server.listen({ port: Number(port), host: host || '::' }, () => {
  console.log(`listening ${name} ${server.address().port}`);
});
process.on('SIGTERM', () => process.exit(0));
