/**
 * The names and values of the operator documentation, as it prints them: its example command's
 * gateway, proxy and no_proxy, and the firewall table's destinations. The document's flow runs
 * with exactly these; a test network's DNS server maps each name to a namespace of the test.
 */
export const DOCUMENT = {
  /** `--gateway="us-west.pa-wgcs.skyhigh.cloud"`: the nearest Private Access Gateway. */
  gateway: 'us-west.pa-wgcs.skyhigh.cloud',
  /** The PoP that gateway name belongs to. */
  pop: 'us-west',
  /** The cloud's domain: registration at `wgcs.<domain>:8080`, gateways `<pop>.pa-wgcs.<domain>`. */
  domain: 'skyhigh.cloud',
  registrationHost: 'wgcs.skyhigh.cloud',
  tokenHost: 'iam.mcafee-cloud.com',
  statusHost: 'myshn.net',
  /** `--proxy="http://10.212.24.192:9090"`. */
  proxyAddress: '10.212.24.192',
  proxyPort: 9090,
  proxy: 'http://10.212.24.192:9090',
  /** `--no_proxy=...` as the document gives it. */
  noProxy: 'localhost,.corp.trellix.com,172.17.0.1,ubuntu,127.0.0.1',
} as const;

/**
 * The document's install command with the key filled in, word for word (without the leading
 * `sudo`: the test runs as root, and sudo would drop the environment that points infra.sh at
 * the test VM's Docker engine).
 */
export function documentCommand(key: string, withProxy: boolean): string {
  const base = `bash infra.sh --provision_key="${key}" --gateway="${DOCUMENT.gateway}"`;
  return withProxy ? `${base} --proxy="${DOCUMENT.proxy}" --no_proxy="${DOCUMENT.noProxy}"` : base;
}
