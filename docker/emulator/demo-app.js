// Demo profile only: the private app users reach through the gateway ingress, the tunnel and the
// connector's proxy. Answers every request with its name, so a person sees who answered.
const http = require('node:http');

const name = process.env.PA_DEMO_APP_NAME || 'demo-app';
const port = Number(process.env.PA_DEMO_APP_PORT || 8080);

const server = http.createServer((req, res) => {
  res.setHeader('x-app-server', name);
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end(`hello from ${name} (${req.method} ${req.url})\n`);
});
server.listen({ port, host: '::', ipv6Only: false }, () =>
  console.log(`demo-app: ${name} listening on port ${port}`),
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
