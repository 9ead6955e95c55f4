import { loadConfig } from '@pa-connector/config';
import { cloudEndpoints, cloudSettings, firewallRows, showHost } from '../../../src/endpoints';

const rows = (env: Record<string, string>) =>
  firewallRows(cloudEndpoints(loadConfig(cloudSettings(), env))).map((r) => [
    r.host,
    r.port,
    r.protocol,
    r.purpose,
  ]);

describe('firewallRows', () => {
  it("is the document's SaaS table", () => {
    expect(rows({ PA_CLOUD_DOMAIN: 'skyhigh.cloud' })).toEqual([
      ['<pop>.pa-wgcs.skyhigh.cloud', 443, 'udp/tcp', 'tunnel to the gateway'],
      ['wgcs.skyhigh.cloud', 8080, 'tcp', 'connector registration'],
      ['iam.skyhigh.cloud', 443, 'tcp', 'tokens'],
      ['status.skyhigh.cloud', 443, 'tcp', 'POP status, logs and health'],
      ['wgcs.skyhigh.cloud', 443, 'tcp', 'catalog and release'],
      ['registry.skyhigh.cloud', 443, 'tcp', 'image pulls'],
    ]);
  });

  it('follows the on-prem ports, the named gateway and every collector', () => {
    expect(
      rows({
        PA_CLOUD_PROFILE: 'onprem',
        PA_CLOUD_DOMAIN: 'corp.example',
        PA_GATEWAY: 'gw1.corp.example',
        PA_COLLECTOR_URLS: 'https://c1.corp.example:5640,https://[2001:db8::9]:5640',
      }),
    ).toEqual([
      ['gw1.corp.example', 5660, 'udp/tcp', 'tunnel to the gateway'],
      ['wgcs.corp.example', 443, 'tcp', 'connector registration'],
      ['iam.corp.example', 443, 'tcp', 'tokens'],
      ['c1.corp.example', 5640, 'tcp', 'POP status, logs and health'],
      ['2001:db8::9', 5640, 'tcp', 'POP status, logs and health'],
      ['wgcs.corp.example', 443, 'tcp', 'catalog and release'],
      ['registry.corp.example', 443, 'tcp', 'image pulls'],
    ]);
  });

  it('shows IPv6 hosts in brackets and the domain as a placeholder', () => {
    expect(showHost('2001:db8::9')).toBe('[2001:db8::9]');
    expect(showHost('iam.x.net', 'x.net', '<domain>')).toBe('iam.<domain>');
    expect(showHost('iam.other.net', 'x.net', '<domain>')).toBe('iam.other.net');
  });
});
