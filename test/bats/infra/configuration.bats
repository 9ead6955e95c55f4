#!/usr/bin/env bats
# infra.sh: what it writes into PA_INFRA_ROOT (Docker steps off): settings 0644 without secrets,
# secrets 0600 in a 0700 directory, the stack files from the bundle; a re-run keeps the secrets and
# rewrites only what changed; --dry-run writes nothing; --uninstall removes it all.

bats_require_minimum_version 1.5.0
load host

setup() {
  fake_host
}

install_ok() {
  infra --provision_key="$KEY" --gateway=us-east "$@"
  [ "$status" -eq 0 ] || { echo "exit $status: $output"; return 1; }
}

# name=value of KEY in an env file.
env_value() {
  sed -n "s/^$2=//p" "$1"
}

@test "a first install writes the configuration, secrets 0600 in a 0700 directory" {
  install_ok
  [ "$(mode_of "$SECRETS")" = 700 ]
  local s
  for s in provisioning-key redis-password internal-api-token; do
    [ -s "$SECRETS/$s" ] || { echo "$s missing"; return 1; }
    [ "$(mode_of "$SECRETS/$s")" = 600 ] || { echo "$s: $(mode_of "$SECRETS/$s")"; return 1; }
  done
  [ "$(cat "$SECRETS/provisioning-key")" = "$KEY" ]
  [ ! -e "$SECRETS/proxy-url" ]
  # Generated secrets: long, random, different from each other.
  [ "$(wc -c <"$SECRETS/redis-password")" -ge 32 ]
  [ "$(cat "$SECRETS/redis-password")" != "$(cat "$SECRETS/internal-api-token")" ]
  [ "$(mode_of "$ETC/pa.env")" = 644 ]
  [ "$(mode_of "$ETC/pa_connector.env")" = 644 ]
  [ "$(env_value "$ETC/pa.env" PA_VERSION)" = 1.0.3 ]
  [ "$(env_value "$ETC/pa.env" PA_REGION)" = us-east ]
  [ "$(env_value "$ETC/pa.env" PA_HOSTNAME)" = pop-test-1 ]
  # No endpoint given: the connector derives each from the cloud's default domain.
  [ -z "$(env_value "$ETC/pa.env" PA_SSE_URLS)" ]
  [ -z "$(env_value "$ETC/pa.env" PA_GATEWAY)" ]
  [ "$(env_value "$ETC/pa.env" PA_SECRETS_DIR)" = "$SECRETS" ]
  [ "$(env_value "$ETC/pa.env" PA_CONFIG_DIR)" = "$ETC/config" ]
  [ "$(env_value "$ETC/pa_connector.env" PA_REGION)" = us-east ]
  # pa_connector.sh finds the connector's container (drain, start) by the project infra.sh ran.
  [ "$(env_value "$ETC/pa_connector.env" PA_COMPOSE_PROJECT)" = "${PA_INFRA_PROJECT:-pa-connector}" ]
  # The stack files come from the bundle.
  cmp "$LIB/compose.yaml" "$HOST/bundle/compose.yaml"
  cmp "$LIB/release.json" "$HOST/bundle/release.json"
  cmp "$LIB/pa_connector.sh" "$HOST/bundle/pa_connector.sh"
  [ -x "$LIB/pa_connector.sh" ]
  [ "$(readlink "$PA_INFRA_ROOT/usr/local/bin/pa_connector.sh")" = "$LIB/pa_connector.sh" ]
  # No secret anywhere but in the secrets directory, and never in the output.
  ! grep -rqF -e "$KEY" -e "$(cat "$SECRETS/redis-password")" -e "$(cat "$SECRETS/internal-api-token")" \
    "$ETC/pa.env" "$ETC/pa_connector.env" "$LIB"
  [[ $output != *"$KEY"* && $output != *"$(cat "$SECRETS/redis-password")"* ]]
}

@test "--gateway with a gateway's name is PA_GATEWAY, in pa.env and pa_connector.env; a region name is PA_REGION" {
  install_ok
  [ "$(env_value "$ETC/pa.env" PA_REGION)" = us-east ]
  install_ok --gateway=us-west.pa-wgcs.skyhigh.cloud
  local f
  for f in "$ETC/pa.env" "$ETC/pa_connector.env"; do
    [ "$(env_value "$f" PA_GATEWAY)" = us-west.pa-wgcs.skyhigh.cloud ]
    [ -z "$(env_value "$f" PA_REGION)" ]
    grep -qx 'PA_REGION=' "$f"
  done
  install_ok --gateway='[2001:db8::7]:5660'
  [ "$(env_value "$ETC/pa.env" PA_GATEWAY)" = '[2001:db8::7]:5660' ]
}

@test "the engine's socket: the standard one, or DOCKER_HOST's unix socket handed to compose" {
  install_ok
  ! grep -q '^PA_DOCKER_SOCKET=' "$ETC/pa.env"
  DOCKER_HOST=unix:///run/pa-test-engine/docker.sock install_ok
  [ "$(env_value "$ETC/pa.env" PA_DOCKER_SOCKET)" = /run/pa-test-engine/docker.sock ]
  # A TCP engine has no socket to mount: the standard one stays.
  DOCKER_HOST=tcp://127.0.0.1:2375 install_ok
  ! grep -q '^PA_DOCKER_SOCKET=' "$ETC/pa.env"
}

@test "the resolv.conf the DNS check read is the one the menu's diagnose is given" {
  install_ok
  [ "$(env_value "$ETC/pa.env" PA_HOST_RESOLV_CONF)" = "$PA_INFRA_RESOLV_CONF" ]
  PA_INFRA_RESOLV_CONF=/etc/resolv.conf install_ok
  ! grep -q '^PA_HOST_RESOLV_CONF=' "$ETC/pa.env"
}

@test "the steps are numbered, and the Docker steps say they were skipped for tests" {
  install_ok
  [[ $output == *'11. Docker'*'skipped (PA_INFRA_SKIP_DOCKER=1, for tests only)'*"12. Docker's proxy"*'skipped'* ]]
  [[ $output == *'14. Secrets'*'15. Stack files'*'16. Settings'*'17. Kernel settings'*'18. Start the stack'* ]]
  [[ $output == *'19. Operator menu settings'*'20. Wait for the connector to be ready'* ]]
  [[ ${lines[-1]} == 'infra.sh: done.'* ]]
}

SYSCTL_FILE=etc/sysctl.d/60-pa-connector.conf

@test "a stock kernel's socket buffer limits are raised to 4 MiB, now and in a sysctl.d file for every boot" {
  install_ok
  [[ $output == *'17. Kernel settings'*'wrote 60-pa-connector.conf'*'set net.core.rmem_max to 4194304'*'set net.core.wmem_max to 4194304'* ]]
  [ "$(cat "$PA_INFRA_PROC_SYS/net/core/rmem_max")" = 4194304 ]
  [ "$(cat "$PA_INFRA_PROC_SYS/net/core/wmem_max")" = 4194304 ]
  [ "$(mode_of "$PA_INFRA_ROOT/$SYSCTL_FILE")" = 644 ]
  [ "$(grep -v '^#' "$PA_INFRA_ROOT/$SYSCTL_FILE")" = $'net.core.rmem_max = 4194304\nnet.core.wmem_max = 4194304' ]
  # A re-run: nothing to raise, nothing rewritten.
  install_ok
  [[ $output == *'60-pa-connector.conf unchanged'*'socket buffer limits already at least 4194304 bytes'* ]]
}

@test "a limit the host already has higher is kept, in the file too" {
  echo 16777216 >"$PA_INFRA_PROC_SYS/net/core/rmem_max"
  install_ok
  [ "$(cat "$PA_INFRA_PROC_SYS/net/core/rmem_max")" = 16777216 ]
  [ "$(cat "$PA_INFRA_PROC_SYS/net/core/wmem_max")" = 4194304 ]
  grep -qx 'net.core.rmem_max = 16777216' "$PA_INFRA_ROOT/$SYSCTL_FILE"
  grep -qx 'net.core.wmem_max = 4194304' "$PA_INFRA_ROOT/$SYSCTL_FILE"
  [[ $output != *'set net.core.rmem_max'* ]]
}

@test "a limit that cannot be set now is a warning: the file is written for the next boot, the install goes on" {
  # A directory where the value belongs: neither readable nor writable as a value.
  rm "$PA_INFRA_PROC_SYS/net/core/wmem_max"
  mkdir "$PA_INFRA_PROC_SYS/net/core/wmem_max"
  install_ok
  [[ $output == *'warning: could not set net.core.wmem_max now'*'it takes effect at the next boot'* ]]
  grep -qx 'net.core.wmem_max = 4194304' "$PA_INFRA_ROOT/$SYSCTL_FILE"
  [ "$(cat "$PA_INFRA_PROC_SYS/net/core/rmem_max")" = 4194304 ]
  [[ ${lines[-1]} == 'infra.sh: done.'* ]]
}

@test "--dry-run raises no limit; --uninstall removes the sysctl.d file" {
  infra --provision_key="$KEY" --gateway=us-east --dry-run
  [ "$status" -eq 0 ]
  [[ $output == *'would write 60-pa-connector.conf'*'would set net.core.rmem_max to 4194304'* ]]
  [ "$(cat "$PA_INFRA_PROC_SYS/net/core/rmem_max")" = 212992 ]
  install_ok
  infra --uninstall --yes
  [ "$status" -eq 0 ]
  [ ! -e "$PA_INFRA_ROOT/$SYSCTL_FILE" ]
}

@test "as root the secrets belong to the services' user (uid 10001), or PA_INFRA_SECRET_OWNER" {
  [ "$EUID" -eq 0 ] || { echo "this test needs root (chown)"; return 1; }
  install_ok
  [ "$(stat -c %u:%g "$SECRETS")" = 10001:10001 ]
  [ "$(stat -c %u:%g "$SECRETS/provisioning-key")" = 10001:10001 ]
  [ "$(stat -c %u "$ETC/pa.env")" = 0 ]
  rm -rf "$PA_INFRA_ROOT"/*
  PA_INFRA_SECRET_OWNER=4242:4343 install_ok
  [ "$(stat -c %u:%g "$SECRETS/redis-password")" = 4242:4343 ]
}

@test "the key from a file or from stdin" {
  printf '  %s\n' "$KEY" >"$BATS_TEST_TMPDIR/key"
  infra --provision_key_file="$BATS_TEST_TMPDIR/key" --gateway=us-east
  [ "$status" -eq 0 ]
  [ "$(cat "$SECRETS/provisioning-key")" = "$KEY" ]
  rm -rf "$PA_INFRA_ROOT"/*
  run bash "$SCRIPT" --gateway=us-east - <<<"$OTHER_KEY"
  [ "$status" -eq 0 ]
  [ "$(cat "$SECRETS/provisioning-key")" = "$OTHER_KEY" ]
  rm -rf "$PA_INFRA_ROOT"/*
  # stdin that is not a terminal, without "-"
  run bash "$SCRIPT" --gateway=us-east <<<"$KEY"
  [ "$status" -eq 0 ]
  [ "$(cat "$SECRETS/provisioning-key")" = "$KEY" ]
  [[ $output != *"$KEY"* ]]
}

@test "a re-run with the same settings rewrites nothing and keeps the secrets" {
  install_ok --proxy=http://alice:s3cr3t@proxy.corp:3128 --no_proxy=.corp
  local before
  before=$(cd "$PA_INFRA_ROOT" && find . -type f -exec sha256sum {} + | sort)
  local inodes
  inodes=$(cd "$PA_INFRA_ROOT" && find . -type f -printf '%p %i %T@\n' | sort)
  install_ok --proxy=http://alice:s3cr3t@proxy.corp:3128 --no_proxy=.corp
  [ "$(cd "$PA_INFRA_ROOT" && find . -type f -exec sha256sum {} + | sort)" = "$before" ]
  [ "$(cd "$PA_INFRA_ROOT" && find . -type f -printf '%p %i %T@\n' | sort)" = "$inodes" ]
  [[ $output != *wrote* ]]
  [[ $output == *'redis-password kept'*'internal-api-token kept'* ]]
  [[ $output == *'pa.env unchanged'* ]]
  # Without the key, the stored one is kept.
  infra --gateway=us-east --proxy=http://alice:s3cr3t@proxy.corp:3128 --no_proxy=.corp
  [ "$status" -eq 0 ]
  [[ $output == *'provisioning-key kept'* ]]
  [ "$(cd "$PA_INFRA_ROOT" && find . -type f -exec sha256sum {} + | sort)" = "$before" ]
}

@test "a re-run with a changed setting rewrites only that file; secrets stay" {
  install_ok
  local redis token
  redis=$(cat "$SECRETS/redis-password")
  token=$(cat "$SECRETS/internal-api-token")
  infra --provision_key="$KEY" --gateway=eu-west
  [ "$status" -eq 0 ]
  [[ $output == *"wrote pa.env"* ]]
  [[ $output == *"wrote pa_connector.env"* ]]
  [[ $output == *"compose.yaml unchanged"* ]]
  [ "$(env_value "$ETC/pa.env" PA_REGION)" = eu-west ]
  [ "$(cat "$SECRETS/redis-password")" = "$redis" ]
  [ "$(cat "$SECRETS/internal-api-token")" = "$token" ]
  # A new key replaces the stored one (without being printed).
  infra --provision_key="$OTHER_KEY" --gateway=eu-west
  [ "$status" -eq 0 ]
  [[ $output == *"wrote provisioning-key"* && $output == *'pa.env unchanged'* ]]
  [[ $output != *"$OTHER_KEY"* ]]
  [ "$(cat "$SECRETS/provisioning-key")" = "$OTHER_KEY" ]
}

@test "a re-run puts loosened modes right again" {
  install_ok
  chmod 0644 "$SECRETS/redis-password" "$SECRETS/provisioning-key"
  chmod 0755 "$SECRETS"
  install_ok
  [ "$(mode_of "$SECRETS")" = 700 ]
  [ "$(mode_of "$SECRETS/redis-password")" = 600 ]
  [ "$(mode_of "$SECRETS/provisioning-key")" = 600 ]
}

@test "a proxy with credentials: a 0600 proxy-url secret and a compose override, not in pa.env" {
  install_ok --proxy=http://alice:s3cr3t@proxy.corp:3128 --no_proxy=.corp,10.0.0.0/8
  [ "$(cat "$SECRETS/proxy-url")" = http://alice:s3cr3t@proxy.corp:3128 ]
  [ "$(mode_of "$SECRETS/proxy-url")" = 600 ]
  [ -z "$(env_value "$ETC/pa.env" PA_PROXY_URL)" ]
  [ "$(env_value "$ETC/pa.env" PA_NO_PROXY)" = .corp,10.0.0.0/8 ]
  grep -q 'PA_PROXY_URL_FILE: /run/secrets/proxy_url' "$LIB/compose.proxy.yaml"
  grep -q "file: $SECRETS/proxy-url" "$LIB/compose.proxy.yaml"
  # pop-manager too: the operator CLI's diagnose runs there and goes through the proxy; the
  # menu's settings name the secret's file there.
  grep -A4 '^  pop-manager:$' "$LIB/compose.proxy.yaml" | grep -q -- '- proxy_url'
  [ "$(env_value "$ETC/pa_connector.env" PA_PROXY_URL_FILE)" = /run/secrets/proxy_url ]
  [ -z "$(env_value "$ETC/pa_connector.env" PA_PROXY_URL)" ]
  ! grep -rq s3cr3t "$ETC/pa.env" "$ETC/pa_connector.env" "$LIB"
  [[ $output != *s3cr3t* ]]
  # Without credentials the URL is a plain setting, and the secret and override go away.
  install_ok --proxy=http://proxy.corp:3128
  [ "$(env_value "$ETC/pa.env" PA_PROXY_URL)" = http://proxy.corp:3128 ]
  [ "$(env_value "$ETC/pa_connector.env" PA_PROXY_URL)" = http://proxy.corp:3128 ]
  [ ! -e "$SECRETS/proxy-url" ]
  [ ! -e "$LIB/compose.proxy.yaml" ]
}

@test "--sse_url and --sse_ca_file: the CA is copied where the connector sees it" {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=test-ca -days 1 \
    -keyout "$BATS_TEST_TMPDIR/ca.key" -out "$BATS_TEST_TMPDIR/ca.pem" 2>/dev/null
  install_ok --sse_url=https://sse.test:8443,https://sse2.test:8443 --sse_ca_file="$BATS_TEST_TMPDIR/ca.pem"
  [ "$(env_value "$ETC/pa.env" PA_SSE_URLS)" = https://sse.test:8443,https://sse2.test:8443 ]
  [ "$(env_value "$ETC/pa.env" PA_SSE_CA_FILE)" = /etc/pa-connector/sse-ca.pem ]
  # The menu's CLI (in pop-manager, which mounts the same directory) checks the SSE with it too.
  [ "$(env_value "$ETC/pa_connector.env" PA_SSE_CA_FILE)" = /etc/pa-connector/sse-ca.pem ]
  cmp "$ETC/config/sse-ca.pem" "$BATS_TEST_TMPDIR/ca.pem"
  [ "$(mode_of "$ETC/config/sse-ca.pem")" = 644 ]
  install_ok
  [ -z "$(env_value "$ETC/pa.env" PA_SSE_CA_FILE)" ]
  [ -z "$(env_value "$ETC/pa_connector.env" PA_SSE_CA_FILE)" ]
  [ ! -e "$ETC/config/sse-ca.pem" ]
}

@test "the env files are read back by pa_connector.sh's parser (KEY=value lines only)" {
  install_ok --no_proxy='*.corp,10.0.0.0/8' --proxy=http://proxy.corp:3128
  local line
  for f in "$ETC/pa.env" "$ETC/pa_connector.env"; do
    while IFS= read -r line; do
      [[ $line =~ ^(#.*)?$ || $line =~ ^[A-Z_][A-Z0-9_]*=[^\ \"\'\$\`]*$ ]] || { echo "$f: $line"; return 1; }
    done <"$f"
  done
}

@test "--dry-run writes nothing, on a first install and on a re-run" {
  infra --provision_key="$KEY" --gateway=us-east --proxy=http://a:b@proxy:3128 --dry-run
  [ "$status" -eq 0 ]
  [ -z "$(written)" ]
  [[ $output == *'would write provisioning-key'* && $output == *'would write pa.env'* ]]
  [[ ${lines[-1]} == 'infra.sh: dry run done; nothing was changed' ]]
  install_ok
  local before
  before=$(cd "$PA_INFRA_ROOT" && find . -printf '%p %i %m %T@\n' | sort)
  infra --provision_key="$OTHER_KEY" --gateway=eu-west --proxy=http://a:b@proxy:3128 --dry-run
  [ "$status" -eq 0 ]
  [ "$(cd "$PA_INFRA_ROOT" && find . -printf '%p %i %m %T@\n' | sort)" = "$before" ]
  [[ $output == *'would write provisioning-key'* && $output == *'would write pa.env'* ]]
  [[ $output == *'would write proxy-url'* && $output == *'compose.yaml unchanged'* ]]
  [[ $output != *"$OTHER_KEY"* ]]
}

@test "--uninstall --yes removes the configuration, the secrets and the stack files" {
  install_ok
  infra --uninstall --yes
  [ "$status" -eq 0 ]
  [ -z "$(written | grep pa-connector)" ]
  [ ! -e "$ETC" ] && [ ! -e "$LIB" ] && [ ! -L "$PA_INFRA_ROOT/usr/local/bin/pa_connector.sh" ]
  [[ ${lines[-1]} == 'infra.sh: uninstalled' ]]
}

@test "--uninstall asks first: no terminal and no --yes is refused; --dry-run removes nothing" {
  install_ok
  local before
  before=$(written)
  infra --uninstall
  [ "$status" -eq 64 ]
  [[ $output == *'--uninstall: no terminal to confirm on; add --yes'* ]]
  [ "$(written)" = "$before" ]
  infra --uninstall --dry-run
  [ "$status" -eq 0 ]
  [[ $output == *"would remove $ETC"* && $output == *"would remove $LIB"* ]]
  [ "$(written)" = "$before" ]
}

@test "'-' on a terminal asks for the key without echoing it" {
  command -v script >/dev/null || { echo "needs script (util-linux) for a terminal"; return 1; }
  run bash -c '(sleep 1; printf "%s\n" "$1") | script -qec "bash $2 - --gateway=us-east" /dev/null' _ "$KEY" "$SCRIPT"
  [ "$status" -eq 0 ]
  [[ $output == 'Provisioning key: '* ]]
  [[ $output != *"$KEY"* ]]
  [ "$(cat "$SECRETS/provisioning-key")" = "$KEY" ]
}

@test "one install at a time: a second run while the bundle is locked stops before writing" {
  local holder=$BATS_TEST_TMPDIR/holder
  # The holder is the process that keeps the lock (exec: killing it releases the lock).
  (
    exec 8<"$PA_INFRA_BUNDLE" 3>&-
    flock 8
    touch "$holder"
    exec sleep 30
  ) &
  local pid=$!
  for _ in $(seq 1 100); do [[ -e $holder ]] && break; sleep 0.05; done
  infra --provision_key="$KEY" --gateway=us-east
  kill "$pid"
  wait "$pid" || true
  [ "$status" -eq 1 ]
  [[ ${lines[-1]} == "infra.sh: another infra.sh is installing from $PA_INFRA_BUNDLE; wait for it to finish" ]]
  [ -z "$(written)" ]
  install_ok
}
