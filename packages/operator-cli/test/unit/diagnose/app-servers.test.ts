import { loadAppServers, splitServer } from '../../../src/diagnose/app-servers';
import { popStatusFixture } from '../../support/pop-status-fixture';
import { sendJson, standIn } from '../../support/stand-in-server';

describe('app servers for diagnose', () => {
  it('splits host:port and [v6]:port', () => {
    expect(splitServer('10.1.0.5:8443')).toEqual({ host: '10.1.0.5', port: 8443 });
    expect(splitServer('[fd00::8]:22')).toEqual({ host: 'fd00::8', port: 22 });
    expect(splitServer('app.corp:0')).toBeUndefined();
    expect(splitServer('fd00::8:22')).toBeUndefined();
  });

  it('lists each server of each app once, from pop-manager (stand-in)', async () => {
    const pm = await standIn((_req, res) => sendJson(res, 200, popStatusFixture()));
    try {
      const ep = { service: 'pop-manager', setting: 'PA_POP_MANAGER_URL', baseUrl: pm.url };
      expect(await loadAppServers(ep, 2000)).toEqual({
        source: '3 apps from pop-manager',
        servers: [
          { app: 'Wiki', host: '10.1.0.5', port: 8443 },
          { app: 'Git', host: '10.1.0.7', port: 22 },
          { app: 'Git', host: '10.1.0.8', port: 22 },
        ],
      });
    } finally {
      await pm.close();
    }
  });
});
