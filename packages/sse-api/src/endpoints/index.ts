export {
  type CloudEndpoints,
  type CloudSettingValues,
  cloudEndpoints,
  type EndpointSource,
  gatewayNamePattern,
} from './cloud-endpoints';
export { type CloudSettingsSchema, cloudSettings } from './cloud-settings';
export { firewallDocument } from './firewall-document';
export { type FirewallRow, type FirewallRowKind, firewallRows, showHost } from './firewall-table';
export { formatHostPort, type HostPort, parseHostPort } from './host-port';
export {
  CLOUD_PROFILES,
  type CloudProfile,
  DEFAULT_CLOUD_DOMAIN,
  DEFAULT_CLOUD_PROFILE,
  describeProfile,
  PROFILE_PORTS,
} from './profiles';
