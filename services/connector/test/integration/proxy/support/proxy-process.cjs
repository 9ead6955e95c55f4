// The connector's built proxy (dist/) alone in its own process, so a test can count the
// process's open descriptors. Usage: node proxy-process.cjs '<json options>'
//   { "apps": [CatalogApp...], "limits": { ...ProxyLimits }, "downApps": [id...] }
// Every server counts as healthy, but those of the apps in downApps. Prints "listening <port>", then the proxy's JSON log lines.
const { createLogger } = require('@pa-connector/logger');
const { createRegistry } = require('@pa-connector/metrics');
const dist = require('node:path').join(__dirname, '../../../../dist');
const { Balancer } = require(`${dist}/balancer/balancer.js`);
const { systemClock } = require(`${dist}/clock.js`);
const { AppList } = require(`${dist}/health/app-source.js`);
const { ProxyServer } = require(`${dist}/proxy/proxy-server.js`);
const { DialPolicy } = require(`${dist}/dial/dial-policy.js`);

const o = JSON.parse(process.argv[2]);
const proxy = new ProxyServer({
  port: 0,
  apps: new AppList(o.apps),
  balancer: new Balancer((appId) => !(o.downApps ?? []).includes(appId)),
  clock: systemClock,
  logger: createLogger({ service: 'connector', level: 'info' }),
  registry: createRegistry('connector', { defaultMetrics: false }),
  bindRetryMs: 100,
  // The app server is on loopback, next to this process.
  policy: new DialPolicy({ clock: systemClock, allowLoopback: true }),
  ...o.limits,
});
proxy.setAddresses(['127.0.0.1']);
const poll = setInterval(() => {
  const port = proxy.port('127.0.0.1');
  if (port === undefined) return;
  clearInterval(poll);
  console.log(`listening ${port}`);
}, 20);
process.on('SIGTERM', () => {
  void proxy.close().then(() => process.exit(0));
});
