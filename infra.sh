#!/usr/bin/env bash
# infra.sh: installs the POP on this VM from PoPDeployment.tar beside this script.
#
#   sudo bash infra.sh --provision_key="<key>" --gateway="us-west.pa-wgcs.skyhigh.cloud" \
#     [--proxy="http://10.212.24.192:9090" --no_proxy="localhost,.corp.example,127.0.0.1"]
#   sudo bash infra.sh --uninstall
#
# Taken out of PoPPackage.tar (Infrastructure.tar, vCenter/infra.sh), it carries its cloud's
# endpoints and CA in the cloud block below, so the command needs no other flag.
#
# Steps: validate every argument (nothing runs when one is refused), check the prerequisites, install
# Docker when missing, load the images, write the configuration, start the stack with compose and
# wait for the connector to be ready. A re-run with the same settings changes nothing; secrets are
# generated once and kept.
#
# The bundle, PoPDeployment.tar, holds (flat, no directory):
#   images.tar       `docker save` of every image of the release
#   compose.yaml     the stack (redis and the four services)
#   pa_connector.sh  the operator menu
#   release.json     {"version": "1.2.3", "images": ["pa-connector/connector:1.2.3", ...]}
#
# What it writes (under PA_INFRA_ROOT, default /):
#   etc/pa-connector/pa.env               compose settings, no secrets (0644)
#   etc/pa-connector/pa_connector.env     settings of pa_connector.sh (0644)
#   etc/pa-connector/secrets/             0700: provisioning-key, redis-password, internal-api-token,
#                                         proxy-url (only when the proxy URL has credentials), 0600
#   etc/pa-connector/config/              mounted into the connector: sse-ca.pem (--sse_ca_file, else
#                                         the CA of the cloud block)
#   var/lib/pa-connector/                 compose.yaml, pa_connector.sh, release.json from the bundle,
#                                         compose.proxy.yaml (the proxy-url secret, when needed)
#   usr/local/bin/pa_connector.sh         link to the menu
#   etc/sysctl.d/60-pa-connector.conf     net.core.rmem_max and wmem_max at least 4 MiB (0644), for
#                                         the tunnels' socket buffers; also set at once in /proc/sys
#   etc/systemd/system/docker.service.d/pa-connector-proxy.conf
#                                         with --proxy when systemd runs Docker: a drop-in (0644)
#                                         naming the file below as dockerd's EnvironmentFile, so
#                                         image updates use the proxy
#   etc/systemd/system/docker.service.d/pa-connector-proxy.env
#                                         dockerd's HTTP(S)_PROXY and NO_PROXY (0600 root:root: it
#                                         may hold the proxy's credentials, which an Environment=
#                                         line would show to every user in `systemctl show docker`)
#
# Environment overrides (for tests and unusual hosts): PA_INFRA_ROOT, PA_INFRA_BUNDLE,
# PA_INFRA_OS_RELEASE, PA_INFRA_RESOLV_CONF, PA_INFRA_PROC_MEMINFO, PA_INFRA_PROC_SYS (instead of
# /proc/sys), PA_INFRA_HOSTNAME, PA_INFRA_TZ,
# PA_INFRA_DNF_CONF (instead of /etc/dnf/dnf.conf), PA_INFRA_CPUS (instead of nproc),
# PA_INFRA_DISK_SIZE_KB (the disk holding /var/lib/pa-connector, instead of lsblk),
# PA_INFRA_DISK_FREE_KB (free on /, instead of df), PA_INFRA_MIN_CPUS, PA_INFRA_MIN_MEM_GB,
# PA_INFRA_MIN_DISK_GB (the disk's size), PA_INFRA_MIN_ROOT_FREE_GB (free on /),
# PA_INFRA_READY_TIMEOUT (seconds), PA_INFRA_SECRET_OWNER (uid:gid of the secret files when run as
# root), PA_INFRA_DEFAULT_SSE_URL, PA_INFRA_PROJECT (the compose project name, default pa-connector).
# PA_INFRA_SKIP_DOCKER=1 skips every Docker step (install, proxy, load, compose, readiness); it exists only
# for the unit tests of this script and leaves a host without a running POP. Every override is checked
# before anything runs (numbers in range, absolute paths, no control characters); a bad one exits 64
# naming it.
#
# Nothing is done through a symbolic link: the secrets directory belongs to the services' user, so a
# link found where a file or directory of the install is expected is refused (exit 1, naming it),
# files are written as new files with their mode and owner set as they are created and renamed into
# place, and --uninstall removes links without touching what they point at.
set -euo pipefail
umask 022

readonly PROG=infra.sh
# The compose project; another name only for tests that share a Docker engine.
readonly PROJECT=${PA_INFRA_PROJECT:-pa-connector}
readonly SUPPORTED_UBUNTU='18.04 20.04 22.04' SUPPORTED_RHEL='8.5 8.6 8.7 9.1'
readonly REGION_NAMES='us-east us-west eu-central eu-west ap-south ap-southeast sa-east me-central local'
# Unset: no PA_SSE_URLS, the connector derives each endpoint from the cloud's domain.
readonly DEFAULT_SSE_URL=${PA_INFRA_DEFAULT_SSE_URL:-}
# Exit codes, numbered as in docs/exit-codes.md.
readonly E_FAIL=1 E_USAGE=64 E_PREREQ=69

# The cloud this script installs for, filled in when the cloud packs it into PoPPackage.tar (like
# a tenant's download): PKG_CLOUD_ENV holds KEY=value lines of the cloud's endpoints (the keys in
# CLOUD_SETTINGS below), PKG_CLOUD_CA the PEM certificate of the CA of its servers. Both are
# checked before anything runs; --sse_url and --sse_ca_file win over them.
# >>> cloud package settings (written by the packager; empty in a source checkout)
PKG_CLOUD_ENV=''
PKG_CLOUD_CA=''
# <<< cloud package settings
readonly CLOUD_SETTINGS='PA_CLOUD_DOMAIN PA_CLOUD_PROFILE PA_REGISTRATION_URL PA_TOKEN_URL PA_CATALOG_URL PA_COLLECTOR_URLS PA_REGISTRY PA_SSE_URLS'

usage() {
  cat <<EOF
usage: sudo bash $PROG --gateway=GATEWAY [key option] [options]
       sudo bash $PROG --uninstall [--yes] [--dry-run]

Installs the POP from PoPDeployment.tar (beside this script) and starts it.

The provisioning key (the token the cloud issued for the connector group, eyJ...), one of:
  --provision_key=KEY        on the command line: $PROG reads it, then re-executes itself without it
                             (the key passes on an inherited file descriptor, closed once read),
                             so the process list shows it only for that instant; the sudo that
                             started $PROG keeps its own command line, so prefer one of:
  --provision_key_file=PATH  read from a file
  -                          read from stdin (also when stdin is not a terminal and no key
                             option is given); a re-run may omit the key: the stored one is kept

options:
  --gateway=GATEWAY          the nearest Private Access Gateway: its hostname or address
                             (us-west.pa-wgcs.skyhigh.cloud, 203.0.113.7, [2001:db8::7]:443),
                             optionally :port; or a region name: $REGION_NAMES
  --proxy=URL                HTTP proxy to the SSE: http://[user:password@]host:port; also
                             given to dockerd (systemd drop-in) for image updates
  --no_proxy=LIST            comma-separated hosts, .domains, *.domains, IPs or CIDRs reached directly
  --sse_url=URL              SSE API URL(s), https, comma-separated, for every API purpose
                             (default: the cloud's endpoints of this package, or derived from
                             the cloud's domain by the connector)
  --sse_ca_file=PATH         PEM file of the CA of the SSE's certificate (default: the CA of
                             this package, else the system roots)
  --allow-unsupported-os     go on when the OS is not Ubuntu $SUPPORTED_UBUNTU
                             or RHEL $SUPPORTED_RHEL (with a warning)
  --dry-run                  check and print what would be done; change nothing
  --uninstall                stop and remove the stack, its volumes and its configuration
  --yes                      do not ask before --uninstall
  --help                     this text

exit codes: 0 done, 1 a step failed, 64 bad command line, 69 a prerequisite is not met.
EOF
}

warn() {
  printf '%s: warning: %s\n' "$PROG" "$*" >&2
}

die() {
  local code=$1
  shift
  printf '%s: %s\n' "$PROG" "$*" >&2
  exit "$code"
}

usage_error() {
  die "$E_USAGE" "$* (see --help); nothing was done"
}

# ---- argument validation ------------------------------------------------------------------------

# Names the first character of $1 that a shell would read as code (or that breaks an env file),
# or prints nothing. `*` (no_proxy wildcards), `[ ]` (IPv6) and `%` (escaped credentials) are
# allowed: values are always quoted and never evaluated, and the env files are parsed, not sourced.
forbidden_char() {
  local value=$1 i c
  for ((i = 0; i < ${#value}; i++)); do
    c=${value:i:1}
    case $c in
    $'\n') echo 'a newline' && return ;;
    $'\r') echo 'a carriage return' && return ;;
    $'\t') echo 'a tab' && return ;;
    ' ') echo 'a space' && return ;;
    [\$\`\;\|\&\<\>\(\)\'\"\\\!\{\}\#^\~\?]) echo "\"$c\"" && return ;;
    [[:cntrl:]]) echo 'a control character' && return ;;
    esac
  done
}

# RFC 1123 hostname: dot-separated labels of letters, digits and inner dashes, 1-63 characters each.
is_hostname() {
  local label='[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
  [[ ${#1} -le 253 && $1 =~ ^$label(\.$label)*$ ]]
}

is_ipv6() {
  [[ $1 =~ ^[0-9A-Fa-f:.]+$ && $1 == *:*:* ]]
}

# host or [ipv6], then :port with 1 <= port <= 65535 (required unless $2 = optional).
is_host_port() {
  local hostport=$1 port_needed=$2 host port=
  if [[ $hostport =~ ^\[([^]]+)\](:([0-9]{1,5}))?$ ]]; then
    host=${BASH_REMATCH[1]}
    port=${BASH_REMATCH[3]}
    is_ipv6 "$host" || return 1
  elif [[ $hostport =~ ^([^:]+)(:([0-9]{1,5}))?$ ]]; then
    host=${BASH_REMATCH[1]}
    port=${BASH_REMATCH[3]}
    is_hostname "$host" || return 1
  else
    return 1
  fi
  if [[ -z $port ]]; then
    [[ $port_needed == optional ]]
    return
  fi
  ((10#$port >= 1 && 10#$port <= 65535))
}

# http://[user[:password]@]host:port[/]
check_proxy_url() {
  local url=$1 rest
  [[ $url == http://* ]] || usage_error "--proxy: must be http://[user:password@]host:port"
  rest=${url#http://}
  rest=${rest%/}
  if [[ $rest == *@* ]]; then
    [[ ${rest%@*} =~ ^[^@/:]+(:[^@/]*)?$ ]] ||
      usage_error "--proxy: the credentials before the last \"@\" must be user or user:password, with \"/\", \"@\" and \":\" in them written %2F, %40 and %3A"
    rest=${rest##*@}
  fi
  is_host_port "$rest" required ||
    usage_error "--proxy: $(redact_url "$url") is not http://[user:password@]host:port (a hostname or [IPv6] and a port 1-65535)"
}

# What is wrong with a list of https://host[:port][/path] URLs, comma-separated; nothing when
# it is right. Credentials are never printed.
https_urls_problem() {
  local list=$1 url rest hostport
  local -a urls
  IFS=, read -r -a urls <<<"$list"
  if [[ ${#urls[@]} -eq 0 || $list == *, || $list == ,* || $list == *,,* ]]; then
    echo 'give one or more https URLs separated by commas'
    return
  fi
  for url in "${urls[@]}"; do
    if [[ $url != https://* ]]; then
      echo "\"$(redact_url "$url")\" must start with https://"
      return
    fi
    rest=${url#https://}
    # No "@" anywhere (a plain path has none): whatever precedes one would be credentials.
    if [[ $rest == *@* ]]; then
      echo "\"$(redact_url "$url")\" must not carry credentials"
      return
    fi
    hostport=${rest%%/*}
    if ! is_host_port "$hostport" optional; then
      echo "\"$url\" has no valid host (a hostname or [IPv6], port 1-65535)"
      return
    fi
    if [[ $rest != "$hostport" && ! ${rest#"$hostport"} =~ ^/[A-Za-z0-9._~/%-]*$ ]]; then
      echo "\"$url\" has a path that is not plain"
      return
    fi
  done
}

check_sse_urls() {
  local problem
  problem=$(https_urls_problem "$1")
  [[ -z $problem ]] || usage_error "--sse_url: $problem"
}

check_no_proxy() {
  local list=$1 entry host
  local -a entries
  IFS=, read -r -a entries <<<"$list"
  [[ $list != *, && $list != ,* && $list != *,,* ]] ||
    usage_error "--no_proxy: an empty entry in \"$list\""
  for entry in "${entries[@]}"; do
    [[ $entry == '*' ]] && continue
    host=$entry
    host=${host#\*.}
    host=${host#.}
    if [[ $host =~ ^([0-9.]+|[0-9A-Fa-f:]+)/([0-9]{1,3})$ ]]; then
      host=${BASH_REMATCH[1]}
      ((10#${BASH_REMATCH[2]} <= 128)) || usage_error "--no_proxy: \"$entry\" has a bad prefix length"
    fi
    host=${host#[}
    host=${host%]}
    is_hostname "$host" || is_ipv6 "$host" ||
      usage_error "--no_proxy: \"$entry\" is not a host, .domain, *.domain, IP address or CIDR"
  done
}

# An IPv6 address in full or :: form (no embedded IPv4): groups of 1-4 hex digits, at most one "::".
is_ipv6_address() {
  local addr=$1 group count=0
  local -a groups
  [[ $addr =~ ^[0-9A-Fa-f:]{2,39}$ && $addr == *:* && $addr != *:::* ]] || return 1
  [[ ${addr/::/} != *::* ]] || return 1
  [[ $addr != :[!:]* && $addr != *[!:]: ]] || return 1
  IFS=: read -r -a groups <<<"$addr"
  for group in "${groups[@]}"; do
    [[ -z $group ]] && continue
    ((${#group} <= 4)) || return 1
    count=$((count + 1))
  done
  if [[ $addr == *::* ]]; then ((count <= 7)); else ((count == 8)); fi
}

# A gateway's address: a hostname, an IPv4 address or an IPv6 address (in brackets to add a port),
# optionally :port.
is_gateway_address() {
  local gw=$1 host part
  is_ipv6_address "$gw" && return
  if [[ $gw =~ ^\[([^]]+)\](:[0-9]{1,5})?$ ]]; then
    is_ipv6_address "${BASH_REMATCH[1]}" && is_host_port "$gw" optional
    return
  fi
  is_host_port "$gw" optional || return 1
  host=${gw%:*}
  # All digits and dots: an IPv4 address, four parts of 0-255.
  if [[ $host =~ ^[0-9.]+$ ]]; then
    [[ $host =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]] || return 1
    for part in "${BASH_REMATCH[@]:1}"; do ((10#$part <= 255)) || return 1; done
  fi
}

# --gateway: with a dot or a colon, the hostname or address of the gateway the operator named
# (PA_GATEWAY: the connector registers for that gateway's PoP); a bare word is a region name
# (PA_REGION), as before gateways had names.
check_gateway() {
  local gw=$1
  if [[ $gw == *[.:]* ]]; then
    is_gateway_address "$gw" ||
      usage_error "--gateway: \"$gw\" is not a gateway hostname or address (hostname, IPv4 or IPv6 address, [IPv6]:port or host:port with a port 1-65535)"
    gateway_address=$gw
    return
  fi
  [[ ${#gw} -lt 64 ]] || usage_error "--gateway: must be shorter than 64 characters"
  is_hostname "$gw" ||
    usage_error "--gateway: \"$gw\" is neither a region name ($REGION_NAMES) nor a gateway hostname or address"
  region=$gw
}

# ---- the provisioning key -----------------------------------------------------------------------
# A key is base64url (no padding) of a JSON object of strings: connectorName (the group's name),
# customerId (the tenant), keyId (16 lowercase hex), secret (43 base64url) and optionally groupId;
# nothing else. The connector checks the same shape (packages/sse-api/src/provisioning-key.ts)
# before it sends the key; checking it here too refuses a mistyped or cut key before anything is
# installed. The JSON is read with bash regexes (no jq or python on the host): a flat object whose
# members are all strings. Each refusal names what is wrong and never shows the key.
readonly KEY_MAX_LENGTH=1024
readonly KEY_FIELDS='connectorName customerId keyId secret groupId'

# Prints why the key (whitespace already dropped) is not a key, and fails; silent when it is one.
key_problem() {
  local LC_ALL=C
  local token=$1 json name value rest bad pad count
  local ws=$'[ \t\r\n]*'
  # A JSON string: no raw control character below 0x20 (0x7f is allowed, as in JSON).
  local ctl=$'\001'-$'\037'
  local str="\"(([^\"\\${ctl}]|\\\\[\"\\/bfnrt]|\\\\u[0-9A-Fa-f]{4})*)\""
  [[ -n $token ]] || { echo 'it is empty'; return 1; }
  ((${#token} <= KEY_MAX_LENGTH)) || { echo "it is longer than $KEY_MAX_LENGTH characters"; return 1; }
  if [[ $token == *[^A-Za-z0-9_-]* ]]; then
    bad=${token%%[^A-Za-z0-9_-]*}
    if [[ ${token:${#bad}:1} == '=' ]]; then
      echo "it is not base64url: '=' padding at position $((${#bad} + 1))"
    else
      echo "it is not base64url: a character other than A-Z a-z 0-9 - _ at position $((${#bad} + 1))"
    fi
    return 1
  fi
  # A length of 4n+1, or unused low bits set in the last character: cut short or altered.
  case $((${#token} % 4)):${token: -1} in
  1:* | 2:[^AQgw] | 3:[^AEIMQUYcgkosw048])
    echo 'it is not base64url: its length or last character is impossible (cut short?)'
    return 1
    ;;
  2:*) pad='==' ;;
  3:*) pad='=' ;;
  *) pad='' ;;
  esac
  # A NUL byte (bash cannot hold one) becomes \001, which no JSON text may carry either.
  json=$(printf '%s%s' "$token" "$pad" | tr '_-' '/+' | base64 -d 2>/dev/null | tr '\0' '\001') ||
    { echo 'it does not decode to JSON'; return 1; }
  if command -v iconv >/dev/null && ! printf '%s' "$json" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1; then
    echo 'it does not decode to JSON'
    return 1
  fi
  if ! [[ $json =~ ^$ws\{$ws(.*)$ ]]; then
    if [[ $json =~ ^$ws(\[.*\]|$str|true|false|null|-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?)$ws$ ]]; then
      echo 'it decodes to JSON that is not an object'
    else
      echo 'it does not decode to JSON'
    fi
    return 1
  fi
  rest=${BASH_REMATCH[1]}
  declare -A fields=()
  if ! [[ $rest =~ ^\}$ws$ ]]; then
    while :; do
      [[ $rest =~ ^$str$ws:$ws(.*)$ ]] || { echo 'it does not decode to JSON'; return 1; }
      name=${BASH_REMATCH[1]} rest=${BASH_REMATCH[3]}
      if [[ " $KEY_FIELDS " != *" $name "* ]]; then
        echo "it has a field that is not a key's (\"${name:0:40}\"); a key has ${KEY_FIELDS// /, }"
        return 1
      fi
      if ! [[ $rest =~ ^$str(.*)$ ]]; then
        # Another JSON value, or a string cut short (not JSON at all).
        [[ $rest =~ ^(-?[0-9]|true|false|null|\{|\[) ]] || { echo 'it does not decode to JSON'; return 1; }
        echo "field \"$name\" is not a string"
        return 1
      fi
      fields[$name]=${BASH_REMATCH[1]} rest=${BASH_REMATCH[3]}
      [[ $rest =~ ^$ws,$ws(.*)$ ]] && { rest=${BASH_REMATCH[1]}; continue; }
      [[ $rest =~ ^$ws\}$ws$ ]] && break
      echo 'it does not decode to JSON'
      return 1
    done
  fi
  local id_form='an id of 1 to 64 characters: A-Z a-z 0-9 . _ - (not starting with . _ -)'
  for name in $KEY_FIELDS; do
    if [[ ! -v fields[$name] ]]; then
      [[ $name == groupId ]] || { echo "field \"$name\" is missing"; return 1; }
      continue
    fi
    value=${fields[$name]}
    case $name in
    connectorName)
      # Escapes count as the one character they stand for; UTF-8 continuation bytes not at all.
      count=${value//\\u[0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f]/u}
      count=${count//\\?/e}
      count=${count//[$'\x80'-$'\xbf']/}
      # Control characters, escaped (an escaped backslash first taken out, so \\n is not one).
      bad=${value//\\\\/}
      [[ -n ${count//[ ]/} && ${#count} -le 100 && $value != *$'\x7f'* && ! $bad =~ \\[bfnrt]|\\u00[01][0-9A-Fa-f]|\\u007[fF] ]] ||
        { echo 'field "connectorName" must be 1 to 100 characters, not blank, no control characters'; return 1; }
      ;;
    customerId | groupId)
      [[ $value =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ ]] || { echo "field \"$name\" must be $id_form"; return 1; }
      ;;
    keyId) [[ $value =~ ^[0-9a-f]{16}$ ]] || { echo 'field "keyId" must be 16 lowercase hex digits'; return 1; } ;;
    secret) [[ $value =~ ^[A-Za-z0-9_-]{43}$ ]] || { echo 'field "secret" must be 43 base64url characters'; return 1; } ;;
    esac
  done
}

check_key() {
  local problem
  problem=$(key_problem "$1") || usage_error "$2: the provisioning key is malformed: $problem"
}

# http://user:pass@host:1 -> http://[redacted]@host:1. The credentials are everything up to the
# LAST "@": a "/" or "@" typed into a password (or an "@" in a user) is redacted with the rest.
redact_url() {
  local url=$1
  if [[ $url =~ ^([a-z]+://)(.*)@([^@]*)$ ]]; then
    printf '%s[redacted]@%s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[3]}"
  else
    printf '%s\n' "$url"
  fi
}

# ---- the cloud of this package ------------------------------------------------------------------

# The cloud's settings from PKG_CLOUD_ENV, by name (set by parse_cloud_settings).
declare -A cloud=()

package_error() {
  die "$E_FAIL" "the cloud settings packed into this $PROG are broken: $* (download the package again); nothing was done"
}

# One or more PEM certificate blocks and nothing else.
is_pem_certificate() {
  local line state=out blocks=0
  while IFS= read -r line; do
    # CRLF line ends are PEM too (OpenSSL and Windows tools write them; so does the emulator).
    line=${line%$'\r'}
    case $state:$line in
    'out:-----BEGIN CERTIFICATE-----') state=in ;;
    out:) ;;
    'in:-----END CERTIFICATE-----') state=out blocks=$((blocks + 1)) ;;
    in:*) [[ $line =~ ^[A-Za-z0-9+/=]{1,76}$ ]] || return 1 ;;
    *) return 1 ;;
    esac
  done <<<"$1"
  [[ $state == out && $blocks -gt 0 ]]
}

# What is wrong with the VALUE of the cloud setting NAME; nothing when it is right.
cloud_value_problem() {
  local name=$1 value=$2 bad
  [[ -n $value ]] || { echo 'is empty' && return; }
  bad=$(forbidden_char "$value")
  [[ -z $bad ]] || { echo "contains $bad" && return; }
  case $name in
  PA_CLOUD_DOMAIN) [[ $value == *.* ]] && is_hostname "$value" || echo 'is not a domain name' ;;
  PA_CLOUD_PROFILE) [[ $value == saas || $value == onprem ]] || echo 'must be saas or onprem' ;;
  PA_REGISTRATION_URL | PA_TOKEN_URL | PA_CATALOG_URL)
    if [[ $value == *,* ]]; then echo 'must be one https URL'; else https_urls_problem "$value"; fi
    ;;
  PA_COLLECTOR_URLS | PA_SSE_URLS) https_urls_problem "$value" ;;
  PA_REGISTRY) is_host_port "$value" optional || echo 'is not a hostname or [IPv6], with an optional :port' ;;
  esac
}

# Reads PKG_CLOUD_ENV into `cloud` and checks PKG_CLOUD_CA: a key outside CLOUD_SETTINGS, a key
# given twice or a value that is not what its setting holds stops everything.
parse_cloud_settings() {
  local line n=0 name value problem
  while IFS= read -r line; do
    n=$((n + 1))
    [[ -n $line ]] || continue
    [[ $line =~ ^([A-Za-z0-9_]+)=(.*)$ ]] || package_error "line $n of PKG_CLOUD_ENV is not KEY=value"
    name=${BASH_REMATCH[1]}
    value=${BASH_REMATCH[2]}
    [[ " $CLOUD_SETTINGS " == *" $name "* ]] || package_error "${name:0:40} is not a cloud setting (one of $CLOUD_SETTINGS)"
    [[ -z ${cloud[$name]+set} ]] || package_error "$name is given twice"
    problem=$(cloud_value_problem "$name" "$value")
    [[ -z $problem ]] || package_error "$name $problem"
    cloud[$name]=$value
  done <<<"$PKG_CLOUD_ENV"
  [[ -z $PKG_CLOUD_CA ]] || is_pem_certificate "$PKG_CLOUD_CA" ||
    package_error 'PKG_CLOUD_CA is not a PEM certificate'
}

# The package's value of the cloud setting NAME for pa.env. --sse_url replaces every endpoint
# of the API: the package's own URLs for each purpose then give way to it.
cloud_setting() {
  case $1 in
  PA_REGISTRATION_URL | PA_TOKEN_URL | PA_CATALOG_URL | PA_COLLECTOR_URLS)
    [[ -z $sse_url_flag ]] || return 0
    ;;
  esac
  printf '%s\n' "${cloud[$1]:-}"
}

# ---- environment overrides ----------------------------------------------------------------------
# Checked before anything runs: a number reaches arithmetic, where bash would evaluate an array
# subscript such as a[$(cmd)], and a path reaches commands.

# NAME unset or empty (the default), or a whole number from MIN to MAX (no leading zero: 010 would
# be octal in arithmetic).
override_number() {
  local name=$1 min=$2 max=$3 value=${!1:-}
  [[ -z $value ]] && return
  if [[ ! $value =~ ^(0|[1-9][0-9]{0,17})$ ]] || ((value < min || value > max)); then
    die "$E_USAGE" "$name: must be a whole number from $min to $max"
  fi
}

# NAME unset or empty, or an absolute path without control characters.
override_path() {
  local name=$1 value=${!1:-}
  [[ -z $value ]] && return
  [[ $value == /* && $value != *[[:cntrl:]]* && ${#value} -le 4096 ]] ||
    die "$E_USAGE" "$name: must be an absolute path without control characters"
}

# NAME unset or empty, or matching PATTERN (described as WHAT).
override_pattern() {
  local name=$1 pattern=$2 what=$3 value=${!1:-}
  [[ -z $value || $value =~ $pattern ]] || die "$E_USAGE" "$name: must be $what"
}

check_overrides() {
  override_number PA_INFRA_CPUS 1 100000
  override_number PA_INFRA_DISK_FREE_KB 0 1000000000000000
  override_number PA_INFRA_DISK_SIZE_KB 0 1000000000000000
  override_number PA_INFRA_MIN_ROOT_FREE_GB 0 1048576
  override_number PA_INFRA_MIN_CPUS 0 1024
  override_number PA_INFRA_MIN_MEM_GB 0 65536
  override_number PA_INFRA_MIN_DISK_GB 0 1048576
  override_number PA_INFRA_READY_TIMEOUT 1 86400
  local name
  for name in PA_INFRA_ROOT PA_INFRA_BUNDLE PA_INFRA_OS_RELEASE PA_INFRA_RESOLV_CONF PA_INFRA_PROC_MEMINFO PA_INFRA_PROC_SYS; do
    override_path "$name"
  done
  override_path PA_INFRA_DNF_CONF
  override_pattern PA_INFRA_HOSTNAME '^[A-Za-z0-9._-]{1,255}$' 'a hostname (letters, digits, dots, dashes)'
  override_pattern PA_INFRA_TZ '^[A-Za-z0-9_+/-]{1,64}$' 'a time zone name such as Etc/UTC'
  override_pattern PA_INFRA_SECRET_OWNER '^[0-9]{1,10}:[0-9]{1,10}$' 'uid:gid (numbers)'
  override_pattern PA_INFRA_SKIP_DOCKER '^[01]$' '0 or 1'
  override_pattern PA_INFRA_DEFAULT_SSE_URL '^https://[^[:space:][:cntrl:]]+$' 'an https URL'
  override_pattern PA_INFRA_KEY_FD '^[0-9]{1,4}$' "a file descriptor number (set by $PROG itself)"
}

# ---- the key on the command line ----------------------------------------------------------------
# A key given as --provision_key=KEY would sit in this process's command line (ps, /proc/PID/cmdline,
# readable by every user) for the whole install. So it is read once, then the script re-executes
# itself without it and takes the key from a file descriptor it inherits: a pipe (or a deleted
# temporary file) only this process tree can read, closed once read. Not the environment: it is
# private to root in /proc but passed on to every command the install runs (docker, apt-get...).

# Re-executes this script with the same arguments minus the key, which follows on a descriptor.
reexec_without_key() {
  local -a args=()
  local arg skip=0 fd
  for arg in "$@"; do
    if [[ $skip == 1 ]]; then
      skip=0
      continue
    fi
    case $arg in
    --provision_key) skip=1 ;;
    --provision_key=*) ;;
    *) args+=("$arg") ;;
    esac
  done
  exec {fd}<<<"$key"
  PA_INFRA_KEY_FD=$fd exec "$BASH" "$script_dir/$(basename "${BASH_SOURCE[0]}")" "${args[@]}"
}

# In the re-executed script: the key from the inherited descriptor, which is then closed.
take_key_from_fd() {
  local fd=${PA_INFRA_KEY_FD:-}
  [[ -n $fd ]] || return 0
  unset PA_INFRA_KEY_FD
  IFS= read -r key <&"$fd" || [[ -n $key ]] || die "$E_FAIL" 'the provisioning key was lost while re-executing (empty descriptor)'
  exec {fd}<&-
  check_key "$key" --provision_key
}

# Options (set by parse_args).
key='' key_file='' key_stdin=0 gateway='' gateway_address='' region='' proxy='' no_proxy='' sse_url='' sse_ca_file=''
dry_run=0 uninstall=0 assume_yes=0 allow_unsupported_os=0 sse_url_flag=''

parse_args() {
  local arg name value bad
  # Every argument is checked before any is used: one refused argument and nothing runs.
  for arg in "$@"; do
    bad=$(forbidden_char "$arg")
    if [[ -n $bad ]]; then
      name=${arg%%=*}
      [[ $name == --* ]] || name='an argument'
      usage_error "$name: contains $bad, which is not allowed in any argument"
    fi
  done
  while [[ $# -gt 0 ]]; do
    arg=$1
    shift
    name=${arg%%=*}
    value=
    case $arg in
    --provision_key | --provision_key_file | --gateway | --proxy | --no_proxy | --sse_url | --sse_ca_file)
      [[ $# -gt 0 ]] || usage_error "$arg: needs a value"
      value=$1
      shift
      [[ -n $value ]] || usage_error "$arg: the value is empty"
      ;;
    --*=*)
      value=${arg#*=}
      # An empty value is a mistake (a variable that was not set), not the option left out.
      case $name in
      --provision_key | --provision_key_file | --gateway | --proxy | --no_proxy | --sse_url | --sse_ca_file)
        [[ -n $value ]] || usage_error "$name: the value is empty"
        ;;
      esac
      ;;
    esac
    case $name in
    --provision_key) key=$value ;;
    --provision_key_file) key_file=$value ;;
    -) key_stdin=1 ;;
    --gateway) gateway=$value ;;
    --proxy) proxy=$value ;;
    --no_proxy) no_proxy=$value ;;
    --sse_url) sse_url=$value ;;
    --sse_ca_file) sse_ca_file=$value ;;
    --dry-run | --uninstall | --yes | --allow-unsupported-os | --help | -h)
      [[ $arg == "$name" ]] || usage_error "$name: takes no value"
      case $name in
      --dry-run) dry_run=1 ;;
      --uninstall) uninstall=1 ;;
      --yes) assume_yes=1 ;;
      --allow-unsupported-os) allow_unsupported_os=1 ;;
      *) usage && exit 0 ;;
      esac
      ;;
    *) usage_error "unknown option \"${name:0:40}\"" ;;
    esac
  done

  local given=0
  [[ -n $key ]] && given=$((given + 1))
  [[ -n $key_file ]] && given=$((given + 1))
  [[ $key_stdin == 1 ]] && given=$((given + 1))
  [[ $given -le 1 ]] || usage_error "give the provisioning key one way only (--provision_key, --provision_key_file or -)"
  [[ -z $key ]] || check_key "$key" --provision_key
  if [[ -n $key_file ]]; then
    [[ -f $key_file && -r $key_file ]] || usage_error "--provision_key_file: cannot read $key_file"
  fi
  if [[ $uninstall == 1 ]]; then
    [[ $given == 0 && -z $gateway$proxy$no_proxy$sse_url$sse_ca_file ]] ||
      usage_error "--uninstall takes only --yes and --dry-run"
    return
  fi
  [[ -n $gateway ]] || usage_error "missing --gateway (a region name or hostname)"
  check_gateway "$gateway"
  [[ -z $proxy ]] || check_proxy_url "$proxy"
  [[ -z $no_proxy ]] || check_no_proxy "$no_proxy"
  # --sse_url wins over the package's URLs, which win over the default.
  sse_url_flag=$sse_url
  [[ -n $sse_url ]] || sse_url=${cloud[PA_SSE_URLS]:-$DEFAULT_SSE_URL}
  [[ -z $sse_url ]] || check_sse_urls "$sse_url"
  if [[ -n $sse_ca_file ]]; then
    [[ -f $sse_ca_file && -r $sse_ca_file ]] || usage_error "--sse_ca_file: cannot read $sse_ca_file"
    grep -q -- '-----BEGIN CERTIFICATE-----' "$sse_ca_file" ||
      usage_error "--sse_ca_file: $sse_ca_file holds no PEM certificate"
  fi
}

# Sets `key` from the file or stdin, when the key came that way.
read_key() {
  local where
  if [[ -n $key_file ]]; then
    key=$(head -c 4096 -- "$key_file" | tr -d ' \t\r\n')
    where=--provision_key_file
  elif [[ $key_stdin == 1 && -t 0 ]]; then
    # Typed (or pasted) on the terminal, not echoed.
    IFS= read -rs -p 'Provisioning key: ' key || true
    printf '\n'
    key=$(tr -d ' \t\r\n' <<<"$key")
    where='the key typed in'
  elif [[ $key_stdin == 1 || (-z $key && ! -t 0) ]]; then
    key=$(head -c 4096 | tr -d ' \t\r\n')
    where='the key on stdin'
    # Nothing on stdin (e.g. </dev/null) is "no key given", unless `-` asked for it.
    [[ -n $key || $key_stdin == 1 ]] || return 0
  else
    return 0
  fi
  [[ -n $key ]] || usage_error "$where: empty"
  check_key "$key" "$where"
}

# ---- output -------------------------------------------------------------------------------------

step_no=0
step() {
  step_no=$((step_no + 1))
  printf '%2d. %s\n' "$step_no" "$*"
}
detail() { printf '      %s\n' "$*"; }

check_failures=0
# One numbered prerequisite line: `check NAME ok|FAIL REASON`.
check() {
  local name=$1 result=$2 reason=$3
  step_no=$((step_no + 1))
  printf '%2d. %-34s %-4s  %s\n' "$step_no" "$name" "$result" "$reason"
  [[ $result == ok ]] || check_failures=$((check_failures + 1))
}

# ---- paths --------------------------------------------------------------------------------------

root=${PA_INFRA_ROOT:-/}
root=${root%/}
etc_dir=$root/etc/pa-connector
secrets_dir=$etc_dir/secrets
config_dir=$etc_dir/config
lib_dir=$root/var/lib/pa-connector
bin_link=$root/usr/local/bin/pa_connector.sh
docker_dropin=$root/etc/systemd/system/docker.service.d/pa-connector-proxy.conf
docker_proxy_env=$root/etc/systemd/system/docker.service.d/pa-connector-proxy.env
sysctl_file=$root/etc/sysctl.d/60-pa-connector.conf
proc_sys=${PA_INFRA_PROC_SYS:-/proc/sys}
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bundle=${PA_INFRA_BUNDLE:-$script_dir/PoPDeployment.tar}

# ---- prerequisites ------------------------------------------------------------------------------

# Reads KEY from an os-release file (parsed, never sourced).
os_release_value() {
  local file=$1 want=$2 line value
  while IFS= read -r line || [[ -n $line ]]; do
    [[ $line == "$want="* ]] || continue
    value=${line#*=}
    value=${value#[\"\']}
    value=${value%[\"\']}
    printf '%s\n' "$value"
    return
  done <"$file"
}

os_id='' os_like=''
check_os() {
  local file=${PA_INFRA_OS_RELEASE:-/etc/os-release} version name supported=0
  if [[ ! -r $file ]]; then
    check 'OS and version' FAIL "cannot read $file"
    return
  fi
  os_id=$(os_release_value "$file" ID)
  os_like=$(os_release_value "$file" ID_LIKE)
  version=$(os_release_value "$file" VERSION_ID)
  name="${os_id:-unknown} ${version:-?}"
  # The deployment document's list, exactly.
  case $os_id in
  ubuntu) [[ " $SUPPORTED_UBUNTU " == *" $version "* ]] && supported=1 ;;
  rhel) [[ " $SUPPORTED_RHEL " == *" $version "* ]] && supported=1 ;;
  esac
  if [[ $supported == 1 ]]; then
    check 'OS and version' ok "$name"
  elif [[ $allow_unsupported_os == 1 ]]; then
    check 'OS and version' ok "$name is not supported; going on (--allow-unsupported-os)"
    warn "$name is not a supported OS (Ubuntu $SUPPORTED_UBUNTU; RHEL $SUPPORTED_RHEL): going on because of --allow-unsupported-os, untested"
  else
    check 'OS and version' FAIL "$name is not supported (Ubuntu ${SUPPORTED_UBUNTU// //}, RHEL ${SUPPORTED_RHEL// //}; --allow-unsupported-os to go on)"
  fi
}

# A whole number from an override or a command; empty when unknown.
number_or_empty() {
  [[ $1 =~ ^[0-9]+$ ]] && printf '%s\n' "$1"
  return 0
}

check_cpus() {
  local min=${PA_INFRA_MIN_CPUS:-4} cpus
  cpus=$(number_or_empty "${PA_INFRA_CPUS:-$(nproc 2>/dev/null || true)}")
  if [[ -z $cpus ]]; then
    check 'CPUs' FAIL 'cannot count the CPUs'
  elif ((cpus >= min)); then
    check 'CPUs' ok "$cpus (at least $min)"
  else
    check 'CPUs' FAIL "$cpus, at least $min needed"
  fi
}

check_memory() {
  local file=${PA_INFRA_PROC_MEMINFO:-/proc/meminfo} min=${PA_INFRA_MIN_MEM_GB:-8} kb need
  kb=$(awk '$1 == "MemTotal:" { print $2; exit }' "$file" 2>/dev/null || true)
  kb=$(number_or_empty "$kb")
  # The kernel keeps part of the RAM out of MemTotal: a VM sold as 8 GB shows about 7.8 GiB.
  need=$((min * 1024 * 1024 * 9 / 10))
  if [[ -z $kb ]]; then
    check 'Memory' FAIL "no MemTotal in $file"
  elif ((kb >= need)); then
    check 'Memory' ok "$(awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1048576 }') GB (at least $min GB)"
  else
    check 'Memory' FAIL "$(awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1048576 }') GB, at least $min GB needed"
  fi
}

# The nearest existing directory of the install path (it may not exist yet).
existing_parent() {
  local dir=$1
  while [[ ! -d $dir ]]; do dir=$(dirname "$dir"); done
  printf '%s\n' "$dir"
}

# The size in KB of the disk(s) holding the filesystem of DIR: lsblk follows a partition, LVM or
# RAID device down to its disks. Empty when the disk is not visible (a container, a network
# filesystem).
disk_size_kb() {
  local dir=$1 source bytes
  source=$(df -P "$dir" 2>/dev/null | awk 'NR == 2 { print $1 }')
  [[ $source == /dev/* ]] || return 0
  # %.0f: awk prints a number past 2^31 in exponent form (2.74878e+11), which bash cannot count.
  bytes=$(lsblk -bnso TYPE,SIZE "$source" 2>/dev/null | awk '$1 == "disk" { s += $2 } END { if (s > 0) printf "%.0f\n", s }')
  [[ -z $bytes ]] || printf '%s\n' "$((bytes / 1024))"
}

free_kb() {
  df -Pk "$1" 2>/dev/null | awk 'NR == 2 { print $4 }'
}

# The document's disk: a disk of at least 50 GB holding the install, and about 25 GB free on /.
check_disk() {
  local min=${PA_INFRA_MIN_DISK_GB:-50} dir kb
  dir=$(existing_parent "$lib_dir")
  kb=$(number_or_empty "${PA_INFRA_DISK_SIZE_KB:-$(disk_size_kb "$dir")}")
  if [[ -z $kb && $min == 0 ]]; then
    check 'Disk' ok "not measured: no disk found under $dir (lsblk), none required (PA_INFRA_MIN_DISK_GB=0)"
  elif [[ -z $kb ]]; then
    check 'Disk' FAIL "cannot find the disk holding $dir (lsblk); PA_INFRA_MIN_DISK_GB=0 to go on without this check"
  elif ((kb >= min * 1024 * 1024)); then
    check 'Disk' ok "$((kb / 1024 / 1024)) GB disk holding $dir (at least $min GB)"
  else
    check 'Disk' FAIL "$((kb / 1024 / 1024)) GB disk holding $dir, at least $min GB needed"
  fi
}

check_root_free() {
  local min=${PA_INFRA_MIN_ROOT_FREE_GB:-25} dir kb
  dir=$(existing_parent "$root/")
  kb=$(number_or_empty "${PA_INFRA_DISK_FREE_KB:-$(free_kb "$dir")}")
  if [[ -z $kb ]]; then
    check 'Free on /' FAIL "cannot read the free space of $dir"
  elif ((kb >= min * 1024 * 1024)); then
    check 'Free on /' ok "$((kb / 1024 / 1024)) GB free on $dir (at least $min GB)"
  else
    check 'Free on /' FAIL "$((kb / 1024 / 1024)) GB free on $dir, at least $min GB needed"
  fi
}

current_timezone() {
  if [[ -n ${PA_INFRA_TZ:-} ]]; then
    printf '%s\n' "$PA_INFRA_TZ"
  elif command -v timedatectl >/dev/null 2>&1 && timedatectl show -p Timezone --value 2>/dev/null; then
    :
  elif [[ -L /etc/localtime ]]; then
    readlink /etc/localtime | sed 's|.*/zoneinfo/||'
  elif [[ -r /etc/timezone ]]; then
    head -n1 /etc/timezone
  elif [[ ! -e /etc/localtime ]]; then
    echo UTC # glibc's default without /etc/localtime
  else
    echo unknown
  fi
}

check_timezone() {
  local tz
  tz=$(current_timezone)
  case $tz in
  UTC | Etc/UTC | Etc/UCT | UCT | Universal | Etc/Universal | Zulu | Etc/Zulu)
    check 'Time zone' ok "$tz"
    ;;
  *) check 'Time zone' FAIL "${tz:-unknown}, must be UTC (timedatectl set-timezone UTC)" ;;
  esac
}

check_nameservers() {
  local file=${PA_INFRA_RESOLV_CONF:-/etc/resolv.conf} n
  if [[ ! -r $file ]]; then
    check 'DNS nameservers' FAIL "cannot read $file"
    return
  fi
  n=$(grep -cE '^[[:space:]]*nameserver[[:space:]]' "$file" || true)
  if ((n == 0)); then
    check 'DNS nameservers' FAIL "none in $file"
  elif ((n <= 3)); then
    check 'DNS nameservers' ok "$n in $file (at most 3)"
  else
    check 'DNS nameservers' FAIL "$n in $file, at most 3 allowed (the resolver ignores the rest)"
  fi
}

host_name=
check_hostname() {
  host_name=${PA_INFRA_HOSTNAME:-$(hostname 2>/dev/null || cat /proc/sys/kernel/hostname)}
  if [[ ${#host_name} -ge 64 ]]; then
    check 'Hostname' FAIL "${#host_name} characters, must be fewer than 64 (the POP's name in the cloud)"
  elif ! is_hostname "$host_name"; then
    check 'Hostname' FAIL "\"$host_name\" is not a valid hostname"
  else
    check 'Hostname' ok "$host_name"
  fi
}

release_version='' release_images=()
check_bundle() {
  local json image
  if [[ ! -r $bundle ]]; then
    check 'Deployment bundle' FAIL "$bundle not found (put PoPDeployment.tar beside $PROG)"
    return
  fi
  if ! json=$(tar -xOf "$bundle" release.json 2>/dev/null); then
    check 'Deployment bundle' FAIL "$bundle has no release.json (not a PoPDeployment.tar?)"
    return
  fi
  release_version=$(jsonish_string "$json" version)
  if [[ ! $release_version =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$ ]]; then
    check 'Deployment bundle' FAIL "release.json has no valid \"version\""
    return
  fi
  mapfile -t release_images < <(grep -oE '"[a-z0-9][a-z0-9._/-]*:[A-Za-z0-9._-]+(@sha256:[0-9a-f]{64})?"' <<<"${json#*\"images\"}" | tr -d '"')
  if [[ ${#release_images[@]} -eq 0 ]]; then
    check 'Deployment bundle' FAIL 'release.json lists no images'
    return
  fi
  for image in images.tar compose.yaml pa_connector.sh; do
    if ! tar -tf "$bundle" "$image" >/dev/null 2>&1; then
      check 'Deployment bundle' FAIL "$bundle has no $image"
      return
    fi
  done
  check 'Deployment bundle' ok "version $release_version, ${#release_images[@]} images"
}

# The string value of a top-level "name" in a small JSON document (no nesting needed here).
jsonish_string() {
  local json=$1 name=$2
  if [[ $json =~ \"$name\"[[:space:]]*:[[:space:]]*\"([^\"]*)\" ]]; then
    printf '%s\n' "${BASH_REMATCH[1]}"
  fi
}

# compose.yaml needs docker-compose 1.29 or Compose v2: no `version:` key, `depends_on` conditions,
# service profiles, `${VAR-default}` (older docker-compose refuses the file or ignores profiles).
readonly MIN_COMPOSE=1.29

# Whether version $1 (x.y...) is at least MIN_COMPOSE.
compose_version_ok() {
  local major minor
  [[ $1 =~ ^v?([0-9]+)\.([0-9]+) ]] || return 1
  major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}
  ((10#$major > ${MIN_COMPOSE%.*} || (10#$major == ${MIN_COMPOSE%.*} && 10#$minor >= ${MIN_COMPOSE#*.})))
}

# The candidate version apt would install of package $1, without its epoch; empty when none.
apt_candidate() {
  local v
  v=$(apt-cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" { print $2; exit }')
  [[ $v == '(none)' ]] && v=
  printf '%s\n' "${v#*:}"
}

# The compose the stack will run with: the installed one, else the one the OS's packages would
# install. One too old for compose.yaml stops the install here, before anything is changed.
check_compose() {
  local version candidate
  if skip_docker; then
    check 'Docker compose' ok 'not checked (PA_INFRA_SKIP_DOCKER=1, for tests only)'
  elif command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
    version=$(docker compose version --short 2>/dev/null || true)
    check 'Docker compose' ok "Compose v2${version:+ $version}"
  elif command -v docker-compose >/dev/null 2>&1; then
    version=$(docker-compose --version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+(\.[0-9]+)?' | head -n1)
    if compose_version_ok "$version"; then
      check 'Docker compose' ok "docker-compose $version"
    else
      check 'Docker compose' FAIL "docker-compose ${version:-of unknown version} is too old for compose.yaml ($MIN_COMPOSE or later, or Compose v2, needed): install Docker's docker-compose-plugin, or a newer docker-compose"
    fi
  else
    case $(os_family) in
    apt)
      candidate=$(apt_candidate docker-compose-v2)
      if [[ -n $candidate ]]; then
        check 'Docker compose' ok "none yet; apt-get will install docker-compose-v2 $candidate"
      elif candidate=$(apt_candidate docker-compose) && [[ -z $candidate ]]; then
        check 'Docker compose' ok 'none yet; apt-get will install it (its version is checked once installed)'
      elif compose_version_ok "$candidate"; then
        check 'Docker compose' ok "none yet; apt-get will install docker-compose $candidate"
      else
        check 'Docker compose' FAIL "this OS packages docker-compose $candidate, too old for compose.yaml ($MIN_COMPOSE or later, or Compose v2, needed): install Docker's docker-compose-plugin (docs.docker.com/engine/install), then re-run"
      fi
      ;;
    dnf) check 'Docker compose' ok 'none yet; dnf will install docker-compose-plugin (Compose v2)' ;;
    *) check 'Docker compose' ok 'none yet (see the Docker step)' ;;
    esac
  fi
}

check_prerequisites() {
  check_os
  check_cpus
  check_memory
  check_disk
  check_root_free
  check_timezone
  check_nameservers
  check_hostname
  check_bundle
  check_compose
  if ((check_failures > 0)); then
    die "$E_PREREQ" "$check_failures prerequisite(s) not met (FAIL above); nothing was changed"
  fi
}

# ---- files --------------------------------------------------------------------------------------

secret_owner=${PA_INFRA_SECRET_OWNER:-10001:10001}

# Refuses PATH when it is a symbolic link: the services' user owns the secrets directory and could
# plant one there pointing at any file of the host, which root would then chmod, chown or overwrite.
refuse_link() {
  [[ -L $1 ]] || return 0
  die "$E_FAIL" "refusing $1: it is a symbolic link (to $(readlink -- "$1")) where $2 is expected; nothing was done to what it points at. Remove the link and re-run"
}

# The owner a file of MODE gets: the services' user for secrets (0600) when run as root.
owner_for() {
  if [[ $1 == 0600 && $EUID -eq 0 ]]; then printf '%s\n' "$secret_owner"; fi
}

# Whether FILE (not a link) has MODE and, when one is due, its owner.
has_mode_owner() {
  local file=$1 mode=$2 owner
  owner=$(owner_for "$mode")
  [[ $(stat -c %a -- "$file") == "${mode#0}" ]] || return 1
  [[ -z $owner || $(stat -c %u:%g -- "$file") == "$owner" ]]
}

# Writes CONTENT to FILE as a new file: `install` creates it with its mode and owner (nothing is
# changed after the fact through a path), and the rename replaces whatever FILE was, a link
# included, without following it. Secrets (0600) are written exactly, other files end with a newline.
install_content() {
  local file=$1 mode=$2 content=$3 owner=${4-$(owner_for "$2")} tmp
  local -a who=()
  [[ -z $owner ]] || who=(-o "${owner%:*}" -g "${owner#*:}")
  tmp=$(dirname -- "$file")/.infra.$$.$RANDOM$RANDOM
  if [[ $mode == 0600 ]]; then printf '%s' "$content"; else printf '%s\n' "$content"; fi |
    install -m "$mode" "${who[@]}" /dev/stdin "$tmp"
  mv -fT -- "$tmp" "$file"
}

# Writes stdin to FILE with MODE when the content differs; prints what it did (or would do).
# Secrets (mode 0600) are never shown.
put_file() {
  local file=$1 mode=$2 label=$3 content
  content=$(cat)
  refuse_link "$file" "$label (a file)"
  if [[ -f $file ]] && [[ $(cat -- "$file") == "$content" ]]; then
    # A loosened mode or a changed owner is put right by writing the file anew.
    [[ $dry_run == 1 ]] || has_mode_owner "$file" "$mode" || install_content "$file" "$mode" "$content"
    detail "$label unchanged"
    return
  fi
  if [[ $dry_run == 1 ]]; then
    detail "would write $label ($file, mode $mode)"
    return
  fi
  install_content "$file" "$mode" "$content"
  detail "wrote $label ($file, mode $mode)"
}

# A secret a re-run keeps as it is (only its mode and owner are made right again).
keep_file() {
  local file=$1 label=$2
  refuse_link "$file" "$label (a file)"
  [[ -f $file ]] || die "$E_FAIL" "refusing $file: it is not a regular file where $label is expected"
  if [[ $dry_run == 0 ]] && ! has_mode_owner "$file" 0600; then
    install_content "$file" 0600 "$(cat -- "$file")"
  fi
  detail "$label kept"
}

# The directories made here sit in root's directories, so only the last part can be a planted link.
make_dir() {
  local dir=$1 mode=$2 owner=${3:-}
  refuse_link "$dir" 'a directory'
  if [[ $dry_run == 1 ]]; then
    [[ -d $dir ]] || detail "would create $dir (mode $mode)"
    return
  fi
  mkdir -p -- "$dir"
  chmod "$mode" -- "$dir"
  [[ -z $owner || $EUID -ne 0 ]] || chown -h "$owner" -- "$dir"
}

remove_file() {
  local file=$1 label=$2
  [[ -e $file || -L $file ]] || return 0
  if [[ $dry_run == 1 ]]; then
    detail "would remove $label ($file)"
  else
    rm -f -- "$file"
    detail "removed $label ($file)"
  fi
}

random_secret() {
  head -c 32 /dev/urandom | base64 | tr -d '=+/\n'
}

# A generated secret is made once; a re-run keeps it.
generated_secret() {
  local name=$1
  if [[ -s $secrets_dir/$name ]]; then
    keep_file "$secrets_dir/$name" "$name"
  else
    random_secret | put_file "$secrets_dir/$name" 0600 "$name (generated)"
  fi
}

proxy_has_credentials() {
  [[ $proxy =~ ^http://[^/]*@ ]]
}

# The engine's socket: DOCKER_HOST's when it names a unix socket (a rootless engine, or a second
# engine on the host), else the standard one. The update service is given the same socket.
docker_socket() {
  if [[ ${DOCKER_HOST:-} =~ ^unix://(/.+)$ ]]; then
    printf '%s\n' "${BASH_REMATCH[1]}"
  else
    printf '/var/run/docker.sock\n'
  fi
}

docker_gid() {
  local socket
  socket=$(docker_socket)
  if [[ -S $socket ]]; then
    stat -c %g "$socket"
  else
    getent group docker 2>/dev/null | cut -d: -f3
  fi
}

# The cloud's endpoints (contract of the connector's settings): empty ones are derived by the
# connector from PA_CLOUD_DOMAIN (or come from PA_SSE_URLS when that is set).
cloud_env_lines() {
  local name
  for name in $CLOUD_SETTINGS; do
    [[ $name == PA_SSE_URLS ]] || printf '%s=%s\n' "$name" "$(cloud_setting "$name")"
  done
  printf 'PA_SSE_URLS=%s\nPA_GATEWAY=%s\nPA_REGION=%s\n' "$sse_url" "$gateway_address" "$region"
}

pa_env_content() {
  local ca='' proxy_plain=''
  [[ -z $sse_ca_file && -z $PKG_CLOUD_CA ]] || ca=/etc/pa-connector/sse-ca.pem
  proxy_has_credentials || proxy_plain=$proxy
  cat <<EOF
# The POP's compose settings, written by $PROG (re-run it to change them). No secrets here:
# they are files in $secrets_dir.
PA_VERSION=$release_version
PA_IMAGE_PREFIX=pa-connector
PA_REDIS_IMAGE=pa-connector/redis:$release_version
PA_HOSTNAME=$host_name
$(cloud_env_lines)
PA_SSE_CA_FILE=$ca
PA_PROXY_URL=$proxy_plain
PA_NO_PROXY=$no_proxy
PA_SECRETS_DIR=$secrets_dir
PA_CONFIG_DIR=$config_dir
PA_DOCKER_GID=$(docker_gid)
EOF
  [[ $(docker_socket) == /var/run/docker.sock ]] || printf 'PA_DOCKER_SOCKET=%s\n' "$(docker_socket)"
  # The host's file that compose.yaml mounts into pop-manager for diagnose (docker's path, not
  # one under PA_INFRA_ROOT); where it is missing (RHEL), docker would make a directory there.
  [[ -e /etc/timezone ]] || printf 'PA_HOST_TIMEZONE_FILE=/dev/null\n'
  # The resolv.conf the DNS check read is the one diagnose reads (a host whose resolver file
  # lives elsewhere, given with PA_INFRA_RESOLV_CONF).
  [[ ${PA_INFRA_RESOLV_CONF:-/etc/resolv.conf} == /etc/resolv.conf ]] ||
    printf 'PA_HOST_RESOLV_CONF=%s\n' "$PA_INFRA_RESOLV_CONF"
}

pa_connector_env_content() {
  # A dry run does not know the container's name: it keeps the one written last time.
  if [[ -z $pop_manager_container && -r $etc_dir/pa_connector.env ]]; then
    pop_manager_container=$(sed -n 's/^PA_CONTAINER=//p' "$etc_dir/pa_connector.env" | head -n1)
  fi
  cat <<EOF
# Settings of pa_connector.sh, written by $PROG.
PA_CONTAINER=${pop_manager_container:-}
PA_COMPOSE_PROJECT=$PROJECT
$(cloud_env_lines)
PA_NO_PROXY=$no_proxy
EOF
  # Paths in the pop-manager container, where the CLI runs: the CA (given or the package's) and
  # the proxy-url secret.
  [[ -z $sse_ca_file && -z $PKG_CLOUD_CA ]] || printf 'PA_SSE_CA_FILE=/etc/pa-connector/sse-ca.pem\n'
  if proxy_has_credentials; then
    printf 'PA_PROXY_URL_FILE=/run/secrets/proxy_url\n'
  else
    printf 'PA_PROXY_URL=%s\n' "$proxy"
  fi
}

# A compose override that hands the proxy URL to the connector as a secret file.
compose_proxy_content() {
  cat <<EOF
# Written by $PROG: the proxy URL carries credentials, so the connector reads it from a secret file.
services:
  connector:
    environment:
      PA_PROXY_URL_FILE: /run/secrets/proxy_url
    secrets:
      - redis_password
      - provisioning_key
      - internal_api_token
      - proxy_url
  # The operator CLI's diagnose runs there and goes through the same proxy (pa_connector.env
  # names the file: pop-manager itself takes only its own settings).
  pop-manager:
    secrets:
      - redis_password
      - internal_api_token
      - proxy_url
secrets:
  proxy_url:
    file: $secrets_dir/proxy-url
EOF
}

write_secrets() {
  step 'Secrets'
  make_dir "$etc_dir" 0755
  make_dir "$secrets_dir" 0700 "$secret_owner"
  if [[ -n $key ]]; then
    printf '%s' "$key" | put_file "$secrets_dir/provisioning-key" 0600 provisioning-key
  elif [[ -s $secrets_dir/provisioning-key ]]; then
    keep_file "$secrets_dir/provisioning-key" provisioning-key
  else
    die "$E_USAGE" 'no provisioning key: give --provision_key_file=PATH, --provision_key=KEY or - (stdin)'
  fi
  generated_secret redis-password
  generated_secret internal-api-token
  if proxy_has_credentials; then
    printf '%s' "$proxy" | put_file "$secrets_dir/proxy-url" 0600 proxy-url
  else
    remove_file "$secrets_dir/proxy-url" proxy-url
  fi
}

# ---- kernel settings ------------------------------------------------------------------------------
# The connector's openvpn clients ask for 4 MiB socket buffers each way; the kernel cuts the ask,
# silently, to net.core.rmem_max and wmem_max: 208 KiB on a stock kernel, where a tunnel under bulk
# load drops datagrams. These are host-wide (not per container), so the host has to raise them.
readonly SOCKET_BUFFER_BYTES=4194304
readonly SOCKET_BUFFER_SYSCTLS=(net.core.rmem_max net.core.wmem_max)

# The value of a sysctl now (empty when it cannot be read).
sysctl_now() {
  local value
  value=$(cat -- "$proc_sys/${1//.//}" 2>/dev/null) || return 0
  [[ $value =~ ^[0-9]{1,18}$ ]] && printf '%s' "$value"
}

# The drop-in: each limit at least SOCKET_BUFFER_BYTES, and never below what the host has now (an
# operator's higher value is kept). Applied now as well as at every boot.
kernel_settings() {
  local name now want content='# Written by infra.sh: socket buffer limits for the connector'"'"'s tunnels.'
  local -a raise=()
  step 'Kernel settings'
  for name in "${SOCKET_BUFFER_SYSCTLS[@]}"; do
    now=$(sysctl_now "$name")
    want=$SOCKET_BUFFER_BYTES
    [[ -z $now ]] || ((now <= want)) || want=$now
    content+=$'\n'"$name = $want"
    # Below the ask (or unreadable): raised to the ask itself.
    [[ $want == "$now" ]] || raise+=("$name")
  done
  make_dir "$(dirname -- "$sysctl_file")" 0755
  printf '%s' "$content" | put_file "$sysctl_file" 0644 "$(basename -- "$sysctl_file")"
  for name in "${raise[@]}"; do
    if [[ $dry_run == 1 ]]; then
      detail "would set $name to $SOCKET_BUFFER_BYTES"
    elif printf '%s\n' "$SOCKET_BUFFER_BYTES" 2>/dev/null >"$proc_sys/${name//.//}"; then
      detail "set $name to $SOCKET_BUFFER_BYTES"
    else
      warn "could not set $name now ($proc_sys is read-only here?); it takes effect at the next boot"
    fi
  done
  [[ ${#raise[@]} -gt 0 ]] || detail "socket buffer limits already at least $SOCKET_BUFFER_BYTES bytes"
}

# Copies compose.yaml, pa_connector.sh and release.json out of the bundle.
install_bundle_files() {
  local name mode
  step 'Stack files'
  make_dir "$lib_dir" 0755
  for name in compose.yaml pa_connector.sh release.json; do
    mode=0644
    [[ $name != *.sh ]] || mode=0755
    tar -xOf "$bundle" "$name" | put_file "$lib_dir/$name" "$mode" "$name"
  done
  if proxy_has_credentials; then
    compose_proxy_content | put_file "$lib_dir/compose.proxy.yaml" 0644 compose.proxy.yaml
  else
    remove_file "$lib_dir/compose.proxy.yaml" compose.proxy.yaml
  fi
  if [[ $dry_run == 1 ]]; then
    [[ -L $bin_link ]] || detail "would link $bin_link"
  else
    mkdir -p "$(dirname "$bin_link")"
    ln -sfn "$lib_dir/pa_connector.sh" "$bin_link"
  fi
}

write_settings() {
  step 'Settings'
  make_dir "$config_dir" 0755
  pa_env_content | put_file "$etc_dir/pa.env" 0644 pa.env
  if [[ -n $sse_ca_file ]]; then
    put_file "$config_dir/sse-ca.pem" 0644 sse-ca.pem <"$sse_ca_file"
  elif [[ -n $PKG_CLOUD_CA ]]; then
    printf '%s\n' "$PKG_CLOUD_CA" | put_file "$config_dir/sse-ca.pem" 0644 "sse-ca.pem (the cloud's CA, from the package)"
  else
    remove_file "$config_dir/sse-ca.pem" sse-ca.pem
  fi
}

write_cli_settings() {
  pa_connector_env_content | put_file "$etc_dir/pa_connector.env" 0644 pa_connector.env
}

# ---- docker -------------------------------------------------------------------------------------

skip_docker() {
  [[ ${PA_INFRA_SKIP_DOCKER:-0} == 1 ]]
}

run_quiet() {
  local log
  log=$(mktemp)
  if "$@" >"$log" 2>&1; then
    rm -f "$log"
    return 0
  fi
  tail -n 20 "$log" >&2
  rm -f "$log"
  return 1
}

os_family() {
  if [[ $os_id == ubuntu || $os_id == debian || " $os_like " == *" debian "* ]]; then
    echo apt
  elif [[ $os_id == rhel || " $os_like " == *" rhel "* || " $os_like " == *" fedora "* ]]; then
    echo dnf
  fi
}

# With --proxy, apt-get and dnf go through it too. They read it from a root-only file named on their
# command line: the URL may carry credentials, and every user can read a process's arguments.
package_proxy_file=''
package_proxy() {
  [[ -n $proxy && -z $package_proxy_file ]] || return 0
  package_proxy_file=$(mktemp)
  chmod 0600 -- "$package_proxy_file"
  trap 'rm -f -- "$package_proxy_file"' EXIT
  case $(os_family) in
  apt) printf 'Acquire::http::Proxy "%s";\nAcquire::https::Proxy "%s";\n' "$proxy" "$proxy" >"$package_proxy_file" ;;
  dnf)
    # --config replaces dnf.conf: its copy, with the proxy in [main].
    {
      if [[ -r ${PA_INFRA_DNF_CONF:-/etc/dnf/dnf.conf} ]]; then
        grep -vE '^[[:space:]]*proxy[[:space:]]*=' "${PA_INFRA_DNF_CONF:-/etc/dnf/dnf.conf}" |
          awk -v line="proxy=$proxy" '{ print } /^\[main\]/ && !done { print line; done = 1 } END { if (!done) { print "[main]"; print line } }'
      else
        printf '[main]\nproxy=%s\n' "$proxy"
      fi
    } >"$package_proxy_file"
    ;;
  esac
  detail "apt-get/dnf use the proxy $(redact_url "$proxy") (from the root-only file $package_proxy_file)"
}

apt_get() {
  local -a conf=()
  package_proxy
  [[ -z $package_proxy_file ]] || conf=(-c "$package_proxy_file")
  DEBIAN_FRONTEND=noninteractive run_quiet apt-get "${conf[@]}" "$@"
}

dnf_run() {
  local -a conf=()
  package_proxy
  [[ -z $package_proxy_file ]] || conf=(--config "$package_proxy_file")
  run_quiet dnf "${conf[@]}" "$@"
}

apt_install() {
  apt_get install -y "$@"
}

install_engine() {
  case $(os_family) in
  apt)
    detail 'installing docker.io with apt-get'
    apt_get update || die "$E_FAIL" 'apt-get update failed (see above)'
    apt_install docker.io || die "$E_FAIL" 'apt-get install docker.io failed (see above)'
    ;;
  dnf)
    detail 'installing docker-ce with dnf'
    dnf_run install -y docker-ce docker-ce-cli containerd.io docker-compose-plugin ||
      die "$E_FAIL" "dnf install docker-ce failed (see above): add Docker's repository (dnf config-manager --add-repo https://download.docker.com/linux/rhel/docker-ce.repo) and re-run"
    ;;
  *) die "$E_FAIL" "Docker is not installed and $PROG cannot install it on ${os_id:-this OS}: install Docker and docker compose, then re-run" ;;
  esac
}

install_compose() {
  case $(os_family) in
  apt)
    detail 'installing compose with apt-get'
    apt_install docker-compose-v2 || apt_install docker-compose ||
      die "$E_FAIL" 'neither docker-compose-v2 nor docker-compose could be installed (see above)'
    ;;
  dnf)
    detail 'installing docker-compose-plugin with dnf'
    dnf_run install -y docker-compose-plugin || die "$E_FAIL" 'dnf install docker-compose-plugin failed (see above)'
    ;;
  *) die "$E_FAIL" "neither \"docker compose\" (v2) nor docker-compose is installed, and $PROG cannot install it on ${os_id:-this OS}" ;;
  esac
}

has_compose() {
  docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1
}

install_docker() {
  step 'Docker'
  if skip_docker; then
    detail 'skipped (PA_INFRA_SKIP_DOCKER=1, for tests only)'
    return
  fi
  if command -v docker >/dev/null 2>&1; then
    detail "installed: $(docker --version 2>/dev/null || echo docker)"
  elif [[ $dry_run == 1 ]]; then
    detail 'would install Docker and compose'
    return
  else
    install_engine
  fi
  if ! has_compose; then
    if [[ $dry_run == 1 ]]; then
      detail 'would install compose'
      return
    fi
    install_compose
  fi
  if [[ $dry_run == 0 ]] && ! docker info >/dev/null 2>&1; then
    if command -v systemctl >/dev/null 2>&1; then
      run_quiet systemctl enable --now docker || die "$E_FAIL" 'cannot start the docker service (systemctl enable --now docker)'
    fi
    docker info >/dev/null 2>&1 || die "$E_FAIL" 'the Docker engine is not running (start dockerd, then re-run)'
  fi
  compose_command
  # What apt-get installed without a candidate known beforehand (lists not fetched yet).
  if [[ ${compose[0]} == docker-compose ]]; then
    local version
    version=$(docker-compose --version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+(\.[0-9]+)?' | head -n1)
    compose_version_ok "$version" ||
      die "$E_PREREQ" "docker-compose ${version:-of unknown version} is too old for compose.yaml ($MIN_COMPOSE or later, or Compose v2, needed): install Docker's docker-compose-plugin, then re-run"
  fi
  detail "compose: ${compose[*]}"
}

compose=()
compose_command() {
  if docker compose version >/dev/null 2>&1; then
    compose=(docker compose)
  elif command -v docker-compose >/dev/null 2>&1; then
    compose=(docker-compose)
  else
    die "$E_FAIL" 'neither "docker compose" (v2) nor docker-compose is installed'
  fi
}

# ---- dockerd's proxy ----------------------------------------------------------------------------
# The update service pulls new images through the Docker Engine API, so the pulls use dockerd's own
# environment, not the connector's: with --proxy, a systemd drop-in gives dockerd the proxy.

systemd_runs_docker() {
  command -v systemctl >/dev/null 2>&1 &&
    [[ $(systemctl show -p LoadState --value docker.service 2>/dev/null) == loaded ]]
}

# The no_proxy list for dockerd, with the loopback names it must always reach directly.
docker_no_proxy() {
  local list=$no_proxy entry
  for entry in localhost 127.0.0.1; do
    [[ ,$list, == *",$entry,"* ]] || list=${list:+$list,}$entry
  done
  printf '%s\n' "$list"
}

# A value inside a quoted Environment= assignment: `"`, `\` and control characters would end or
# change it (the arguments were refused for them already; this keeps the unit file safe on its own),
# and `%` starts a systemd specifier, so it is written `%%` (escaped credentials hold `%`).
check_unit_value() {
  [[ $1 != *[\"\\[:cntrl:]]* ]] ||
    die "$E_USAGE" "$2: a quote, backslash or control character cannot go into dockerd's proxy settings"
}

unit_value() {
  printf '%s\n' "${1//%/%%}"
}

# dockerd's proxy settings, root only. An EnvironmentFile's values are taken as they are (no systemd
# specifiers), so "%" in escaped credentials stays "%".
docker_proxy_env_content() {
  cat <<EOF
# Written by $PROG (root only: the proxy URL may carry credentials). Re-run $PROG to change it.
HTTP_PROXY=$proxy
HTTPS_PROXY=$proxy
NO_PROXY=$(docker_no_proxy)
EOF
}

# The drop-in holds no secret: `systemctl show docker` (open to every user) shows only the file's name.
docker_proxy_content() {
  cat <<EOF
# Written by $PROG: dockerd pulls the POP's image updates through the proxy set in the root-only
# file below. Re-run $PROG to change it; $PROG --uninstall removes both.
[Service]
EnvironmentFile=$(unit_value "$docker_proxy_env")
EOF
}

# Only when the drop-in changed: a re-run with the same settings does not restart Docker.
restart_docker() {
  run_quiet systemctl daemon-reload || die "$E_FAIL" 'systemctl daemon-reload failed (see above)'
  run_quiet systemctl restart docker ||
    die "$E_FAIL" "systemctl restart docker failed (see above); dockerd's proxy is in $docker_dropin: restart docker by hand once it is fixed"
  detail 'reloaded systemd and restarted docker'
}

remove_docker_proxy() {
  if [[ ! -e $docker_dropin && ! -L $docker_dropin && ! -e $docker_proxy_env && ! -L $docker_proxy_env ]]; then
    detail 'none: dockerd has no proxy from this script'
    return
  fi
  if [[ $dry_run == 1 ]]; then
    detail "would remove $docker_dropin and $docker_proxy_env and restart docker"
    return
  fi
  rm -f -- "$docker_dropin" "$docker_proxy_env"
  detail "removed $docker_dropin and $docker_proxy_env"
  if systemd_runs_docker; then restart_docker; fi
}

# Whether FILE (not a link) holds CONTENT with MODE, owned by root.
root_file_is() {
  local file=$1 mode=$2 content=$3
  refuse_link "$file" 'a file'
  [[ -f $file && $(cat -- "$file") == "$content" && $(stat -c %a -- "$file") == "${mode#0}" ]] &&
    [[ $EUID -ne 0 || $(stat -c %u:%g -- "$file") == 0:0 ]]
}

# With --proxy: the drop-in and its environment file; without: removes them when written before.
docker_proxy() {
  local content env_content root_owner=''
  step "Docker's proxy"
  if skip_docker; then
    detail 'skipped (PA_INFRA_SKIP_DOCKER=1, for tests only)'
    return
  fi
  if [[ -z $proxy ]]; then
    remove_docker_proxy
    return
  fi
  if ! systemd_runs_docker; then
    if [[ $dry_run == 1 ]] && ! command -v docker >/dev/null 2>&1; then
      detail "would give dockerd the proxy in $docker_dropin once Docker is installed (when systemd runs it)"
      return
    fi
    detail 'Docker is not run by systemd here: not configured'
    warn "give dockerd HTTP_PROXY and HTTPS_PROXY (and NO_PROXY) by hand, or the POP's image updates will not go through the proxy"
    return
  fi
  check_unit_value "$proxy" --proxy
  check_unit_value "$no_proxy" --no_proxy
  content=$(docker_proxy_content)
  env_content=$(docker_proxy_env_content)
  if root_file_is "$docker_dropin" 0644 "$content" && root_file_is "$docker_proxy_env" 0600 "$env_content"; then
    detail "unchanged ($docker_dropin, $docker_proxy_env)"
    return
  fi
  if [[ $dry_run == 1 ]]; then
    detail "would write $docker_dropin and $docker_proxy_env (mode 0600) with HTTP(S)_PROXY $(redact_url "$proxy") and restart docker"
    return
  fi
  [[ $EUID -ne 0 ]] || root_owner=0:0
  mkdir -p -- "$(dirname -- "$docker_dropin")"
  # The file first: the drop-in never names a file that is not there.
  install_content "$docker_proxy_env" 0600 "$env_content" "$root_owner"
  install_content "$docker_dropin" 0644 "$content" "$root_owner"
  detail "wrote $docker_proxy_env (mode 0600, root only): HTTP(S)_PROXY $(redact_url "$proxy"), NO_PROXY $(docker_no_proxy)"
  detail "wrote $docker_dropin: EnvironmentFile=$docker_proxy_env"
  restart_docker
}

# Runs compose on the installed stack; the settings come from pa.env only (not this shell).
compose_run() {
  local files=(-f "$lib_dir/compose.yaml")
  [[ ! -f $lib_dir/compose.proxy.yaml ]] || files+=(-f "$lib_dir/compose.proxy.yaml")
  (
    while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep '^PA_' || true)
    "${compose[@]}" --project-name "$PROJECT" --project-directory "$lib_dir" \
      --env-file "$etc_dir/pa.env" "${files[@]}" "$@"
  )
}

# Streams images.tar out of the bundle into docker load: no copy of the images on disk.
# The progress of the images' load, from dd's status lines on stdin ("N bytes ... copied", ended
# by a carriage return, the last by a newline): on a terminal one line updated in place, otherwise
# a plain line at each tenth of TOTAL bytes (every line when TOTAL is unknown, 0).
show_load_progress() {
  local total=$1 chunk bytes percent=0 shown=-1 line
  while IFS= read -r -d $'\r' chunk || [[ -n $chunk ]]; do
    # The last count of the chunk: the final one follows dd's "records" lines.
    [[ $chunk =~ (^|.*[^0-9])([0-9]+)\ bytes ]] || continue
    bytes=${BASH_REMATCH[2]}
    line="loading images: $((bytes / 1000000)) MB"
    if ((total > 0)); then
      percent=$((bytes * 100 / total))
      ((percent <= 100)) || percent=100
      line+=" of $((total / 1000000)) MB ($percent%)"
    fi
    if [[ -t 1 ]]; then
      printf '\r      %s ' "$line"
    elif ((total == 0 || percent / 10 > shown)); then
      shown=$((percent / 10))
      detail "$line"
    fi
  done
  [[ ! -t 1 ]] || printf '\n'
}

# Streams images.tar out of the bundle into docker load (no copy of the images on disk), through dd
# for its byte count; what tar and docker load say goes to LOG.
load_from_bundle() {
  local log=$1 total
  total=$(tar -tvf "$bundle" --occurrence=1 images.tar 2>/dev/null | awk 'NR == 1 { print $3 }')
  [[ $total =~ ^[0-9]+$ ]] || total=0
  {
    tar -xOf "$bundle" images.tar 2>>"$log" | LC_ALL=C dd bs=1M status=progress 2>&3 |
      docker load >>"$log" 2>&1
  } 3>&1 | show_load_progress "$total"
}

load_images() {
  local image missing=0
  step 'Images'
  if skip_docker; then
    detail 'skipped (PA_INFRA_SKIP_DOCKER=1, for tests only)'
    return
  fi
  for image in "${release_images[@]}"; do
    docker image inspect "$image" >/dev/null 2>&1 || missing=$((missing + 1))
  done
  if ((missing == 0)); then
    detail "all ${#release_images[@]} images of $release_version already loaded"
    return
  fi
  if [[ $dry_run == 1 ]]; then
    detail "would load $missing missing image(s) from $bundle"
    return
  fi
  detail "loading images.tar from $bundle"
  local log
  log=$(mktemp)
  if ! load_from_bundle "$log"; then
    tail -n 20 "$log" >&2
    rm -f "$log"
    die "$E_FAIL" "docker load of images.tar from $bundle failed (see above)"
  fi
  for image in "${release_images[@]}"; do
    if ! docker image inspect "$image" >/dev/null 2>&1; then
      { echo 'docker load said:' && tail -n 20 "$log"; } >&2
      rm -f "$log"
      die "$E_FAIL" "image $image is named in release.json but was not loaded from images.tar"
    fi
  done
  rm -f "$log"
  detail "loaded ${#release_images[@]} images"
}

pop_manager_container=
start_stack() {
  step 'Start the stack'
  if skip_docker; then
    detail 'skipped (PA_INFRA_SKIP_DOCKER=1, for tests only)'
    return
  fi
  if [[ $dry_run == 1 ]]; then
    detail "would run: ${compose[*]} --project-name $PROJECT up -d"
    return
  fi
  run_quiet compose_run up -d --remove-orphans ||
    die "$E_FAIL" "${compose[*]} up failed (see above); logs: pa_connector.sh logs, or ${compose[*]} -p $PROJECT logs"
  local id
  id=$(compose_run ps -q pop-manager 2>/dev/null | head -n1)
  [[ -z $id ]] || pop_manager_container=$(docker inspect -f '{{.Name}}' "$id" 2>/dev/null | sed 's|^/||')
  detail 'started'
}

# Why the connector is not ready yet, from its health check's latest output (the check prints the
# /ready answer when it fails): the checks that are not ok, or the check's own words; nothing when
# it said nothing.
ready_reason() {
  local id=$1 out names
  out=$(docker inspect -f '{{if .State.Health}}{{range .State.Health.Log}}{{json .Output}}{{"\n"}}{{end}}{{end}}' "$id" 2>/dev/null | sed '/^$/d' | tail -n 1)
  out=${out//\\\"/\"}
  out=${out//\\n/ }
  out=${out#\"}
  out=${out%\"}
  names=$(grep -oE '"[A-Za-z0-9_.-]+":\{"ok":false' <<<"$out" | cut -d'"' -f2 | paste -sd, - | sed 's/,/, /g')
  if [[ -n $names ]]; then
    printf 'not ready: %s\n' "$names"
  elif [[ -n ${out//[[:space:]]/} ]]; then
    printf '%s\n' "$(tr -cd '[:print:]' <<<"$out" | cut -c1-160)"
  fi
}

wait_ready() {
  local timeout=${PA_INFRA_READY_TIMEOUT:-300} start id health='' waiting reason shown=''
  step "Wait for the connector to be ready (up to $timeout s)"
  if skip_docker; then
    detail 'skipped (PA_INFRA_SKIP_DOCKER=1, for tests only)'
    return
  fi
  [[ $dry_run == 0 ]] || return 0
  start=$SECONDS
  while ((SECONDS - start < timeout)); do
    id=$(compose_run ps -q connector 2>/dev/null | head -n1 || true)
    # The connector's health check is its /ready endpoint.
    [[ -z $id ]] || health=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$id" 2>/dev/null || true)
    if [[ $health == healthy ]]; then
      detail "ready after $((SECONDS - start)) s"
      return
    fi
    # What it waits on, said again only when that changes.
    if [[ -z $id ]]; then
      waiting="the connector's container"
    else
      waiting="the connector's health check (${health:-not run yet})"
      reason=$(ready_reason "$id")
      [[ -z $reason ]] || waiting+="; /ready: $reason"
    fi
    if [[ $waiting != "$shown" ]]; then
      detail "$((SECONDS - start)) s: waiting on $waiting"
      shown=$waiting
    fi
    sleep 2
  done
  if [[ -n $id ]]; then
    # Its last lines (the services redact secrets in their logs) and how it runs, before the verdict.
    printf 'last lines of the connector (%s):\n' \
      "$(docker inspect -f '{{.State.Status}}, restarted {{.RestartCount}} times' "$id" 2>/dev/null || echo 'state unknown')" >&2
    docker logs --tail 5 "$id" 2>&1 | cut -c1-400 | sed 's/^/  /' >&2 || true
  fi
  die "$E_FAIL" "the connector was not ready after $timeout s (health: ${health:-unknown}); see why with: pa_connector.sh logs --service connector (or pa_connector.sh status)"
}

# ---- install and uninstall ----------------------------------------------------------------------

# One install at a time: a lock on the bundle itself (read-only, so nothing is created for it).
lock_bundle() {
  exec 9<"$bundle"
  flock -n 9 || die "$E_FAIL" "another $PROG is installing from $bundle; wait for it to finish"
}

require_root() {
  [[ $EUID -eq 0 || $dry_run == 1 || $root != '' ]] ||
    die "$E_FAIL" "must run as root: sudo bash $PROG ..."
}

install_pop() {
  local kind=install
  [[ $dry_run == 0 ]] || kind='dry run (nothing is changed)'
  printf '%s: %s of the POP, gateway %s\n' "$PROG" "$kind" "$gateway"
  [[ -z $proxy ]] || printf '%s: proxy %s\n' "$PROG" "$(redact_url "$proxy")"
  [[ ${#cloud[@]} -eq 0 ]] ||
    printf '%s: cloud %s, its endpoints and CA from this package\n' "$PROG" "${cloud[PA_CLOUD_DOMAIN]:-(no domain given)}"
  check_prerequisites
  [[ $dry_run == 1 ]] || lock_bundle
  install_docker
  docker_proxy
  load_images
  write_secrets
  install_bundle_files
  write_settings
  kernel_settings
  start_stack
  # Before the wait: when the connector does not become ready, pa_connector.sh is how to see why.
  step 'Operator menu settings'
  write_cli_settings
  wait_ready
  if [[ $dry_run == 1 ]]; then
    printf '%s: dry run done; nothing was changed\n' "$PROG"
  else
    printf '%s: done. The POP runs as compose project %s; see it with: pa_connector.sh status\n' "$PROG" "$PROJECT"
  fi
}

confirm_uninstall() {
  local answer
  [[ $assume_yes == 0 && $dry_run == 0 ]] || return 0
  [[ -t 0 ]] || die "$E_USAGE" '--uninstall: no terminal to confirm on; add --yes'
  printf 'Remove the POP, its volumes (identity, data, logs) and %s? [y/N] ' "$etc_dir"
  read -r answer || answer=
  [[ $answer == y || $answer == Y || $answer == yes ]] || die "$E_FAIL" 'uninstall cancelled; nothing was changed'
}

# Overwrites a secret before removing it, where shred exists. A link is removed, never followed:
# shred would overwrite what it points at.
remove_secret_files() {
  local file
  [[ ! -L $secrets_dir ]] || return 0
  for file in "$secrets_dir"/* "$secrets_dir"/.[!.]*; do
    if [[ -L $file ]]; then
      rm -f -- "$file"
      detail "removed the link $file (not what it points at)"
    elif [[ -f $file ]]; then
      if command -v shred >/dev/null 2>&1; then shred -u -- "$file"; else rm -f -- "$file"; fi
    fi
  done
}

uninstall() {
  confirm_uninstall
  printf '%s: uninstall%s\n' "$PROG" "$([[ $dry_run == 0 ]] || echo ' (dry run, nothing is changed)')"
  step 'Stop and remove the stack and its volumes'
  if skip_docker; then
    detail 'skipped (PA_INFRA_SKIP_DOCKER=1, for tests only)'
  elif [[ ! -f $lib_dir/compose.yaml || ! -f $etc_dir/pa.env ]]; then
    detail "no stack installed ($lib_dir/compose.yaml or $etc_dir/pa.env missing)"
  elif [[ $dry_run == 1 ]]; then
    detail "would run: compose --project-name $PROJECT down --volumes"
  else
    command -v docker >/dev/null 2>&1 || die "$E_FAIL" 'docker is not installed; cannot stop the stack'
    compose_command
    run_quiet compose_run down --volumes --remove-orphans || die "$E_FAIL" 'compose down failed (see above)'
    detail 'removed'
  fi
  # Without --proxy, the drop-in is removed (when there is one).
  docker_proxy
  step 'Remove the configuration and secrets'
  local path
  for path in "$etc_dir" "$lib_dir" "$bin_link" "$sysctl_file"; do
    [[ -e $path || -L $path ]] || continue
    if [[ $dry_run == 1 ]]; then
      detail "would remove $path"
    else
      [[ $path != "$etc_dir" ]] || remove_secret_files
      rm -rf "$path"
      detail "removed $path"
    fi
  done
  printf '%s: %s\n' "$PROG" "$([[ $dry_run == 0 ]] && echo 'uninstalled' || echo 'dry run done; nothing was changed')"
}

main() {
  check_overrides
  parse_cloud_settings
  [[ $PROJECT =~ ^[a-z0-9][a-z0-9_-]{0,62}$ ]] || die "$E_USAGE" "PA_INFRA_PROJECT: not a compose project name"
  parse_args "$@"
  # Every argument is valid: now the key leaves the command line.
  [[ -z $key ]] || reexec_without_key "$@"
  take_key_from_fd
  require_root
  if [[ $uninstall == 1 ]]; then
    uninstall
    return
  fi
  read_key
  install_pop
}

main "$@"
