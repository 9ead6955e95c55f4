import { loadConfig } from '@pa-connector/config';
import { cloudEndpoints, cloudSettings } from '../../../src/endpoints';

const from = (env: Record<string, string>) => cloudEndpoints(loadConfig(cloudSettings(), env));
const hrefs = (urls: URL[]) => urls.map((u) => u.href);

describe('cloudEndpoints', () => {
  it('derives every SaaS endpoint from the default domain: registration on 8080, the rest on 443', () => {
    const e = from({});
    expect(e.profile).toBe('saas');
    expect(hrefs(e.urls.registration)).toEqual(['https://wgcs.pa-connector.net:8080/']);
    expect(hrefs(e.urls.tokens)).toEqual(['https://iam.pa-connector.net/']);
    expect(hrefs(e.urls.catalog)).toEqual(['https://wgcs.pa-connector.net/']);
    expect(hrefs(e.urls.collector)).toEqual(['https://status.pa-connector.net/']);
    expect(e.gatewayPort).toBe(443);
    expect(e.registry).toEqual({ host: 'registry.pa-connector.net', port: 443 });
    expect(e.sources.tokens).toBe('PA_CLOUD_DOMAIN');
  });

  it('uses the on-prem ports: configuration on 443, collectors on 5640, gateways on 5660', () => {
    const e = from({ PA_CLOUD_DOMAIN: 'sse.corp.example', PA_CLOUD_PROFILE: 'onprem' });
    expect(hrefs(e.urls.registration)).toEqual(['https://wgcs.sse.corp.example/']);
    expect(hrefs(e.urls.tokens)).toEqual(['https://iam.sse.corp.example/']);
    expect(hrefs(e.urls.collector)).toEqual(['https://status.sse.corp.example:5640/']);
    expect(e.gatewayPort).toBe(5660);
  });

  it('lets each purpose be overridden, and PA_SSE_URLS fill the purposes without their own', () => {
    const e = from({
      PA_SSE_URLS: 'https://emu.test:9443/api,https://emu2.test',
      PA_TOKEN_URL: 'https://idp.test:8443',
      PA_COLLECTOR_URLS: 'https://c1.test, https://c2.test:5640',
    });
    expect(hrefs(e.urls.tokens)).toEqual(['https://idp.test:8443/']);
    expect(hrefs(e.urls.collector)).toEqual(['https://c1.test/', 'https://c2.test:5640/']);
    expect(hrefs(e.urls.registration)).toEqual(['https://emu.test:9443/api', 'https://emu2.test/']);
    expect(hrefs(e.urls.catalog)).toEqual(['https://emu.test:9443/api', 'https://emu2.test/']);
    expect(e.sources).toEqual({
      registration: 'PA_SSE_URLS',
      tokens: 'PA_TOKEN_URL',
      catalog: 'PA_SSE_URLS',
      collector: 'PA_COLLECTOR_URLS',
    });
  });

  it("gives the operator's gateway the profile's port unless one is written", () => {
    expect(from({ PA_GATEWAY: 'us-west.pa-wgcs.skyhigh.cloud' }).gateway).toEqual({
      host: 'us-west.pa-wgcs.skyhigh.cloud',
      port: 443,
    });
    expect(from({ PA_GATEWAY: '10.0.0.7', PA_CLOUD_PROFILE: 'onprem' }).gateway).toEqual({
      host: '10.0.0.7',
      port: 5660,
    });
    expect(from({ PA_GATEWAY: '[2001:db8::7]:1194' }).gateway).toEqual({
      host: '2001:db8::7',
      port: 1194,
    });
    expect(from({}).gateway).toBeUndefined();
  });

  it('takes the registry as host[:port]', () => {
    expect(from({ PA_REGISTRY: 'images.corp:5000' }).registry).toEqual({
      host: 'images.corp',
      port: 5000,
    });
  });

  it.each([
    ['PA_CLOUD_PROFILE', 'cloud', /PA_CLOUD_PROFILE: must be one of saas, onprem/],
    ['PA_CLOUD_DOMAIN', 'no_dots', /PA_CLOUD_DOMAIN: must be a DNS domain/],
    ['PA_TOKEN_URL', 'http://iam.test', /PA_TOKEN_URL: must use https/],
    ['PA_GATEWAY', 'gw.test:99999', /PA_GATEWAY: must be a gateway/],
    ['PA_GATEWAY', 'bad host', /PA_GATEWAY: must be a gateway/],
    ['PA_REGISTRY', 'reg.test:x', /PA_REGISTRY: must be a registry/],
  ])('refuses %s=%s naming the setting', (env, value, message) => {
    expect(() => from({ [env]: value })).toThrow(message);
  });
});
