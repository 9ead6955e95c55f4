#!/usr/bin/env bats
# infra.sh installing Docker on a host without it. The package managers cannot really run here, so
# this is unit-style, with the stand-ins of stubs.bash for docker, apt-get, dnf and systemctl.
# The real Docker path is in docker.bats.

bats_require_minimum_version 1.5.0
load host
load stubs

setup_file() {
  link_host_tools
}

setup() {
  fake_host
  unset PA_INFRA_SKIP_DOCKER
  stub_dirs
  stub_package_managers
  stub systemctl 'touch "$STUBS/dockerd-running"'
  export PATH=$STUBS:$TOOLS
}

@test "Ubuntu without Docker: apt-get installs docker.io and docker-compose-v2, systemctl starts it" {
  infra --provision_key="$KEY" --gateway=us-east
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output == *'installing docker.io with apt-get'* ]]
  [[ $output == *'compose: docker compose'* ]]
  grep -qx 'apt-get update' "$CALLS"
  grep -qx 'apt-get install -y docker.io' "$CALLS"
  grep -qx 'apt-get install -y docker-compose-v2' "$CALLS"
  grep -qx 'systemctl enable --now docker' "$CALLS"
  grep -q "^docker compose --project-name pa-connector --project-directory $LIB --env-file $ETC/pa.env -f $LIB/compose.yaml up -d --remove-orphans$" "$CALLS"
  [ "$(env_value PA_CONTAINER)" = pa-connector-pop-manager-1 ]
}

@test "the compose run sees only pa.env's settings, not PA_ variables of the caller's shell" {
  stub_env_dump
  PA_REGION=from-shell PA_SSE_URLS=https://shell.example infra --provision_key="$KEY" --gateway=us-east
  [ "$status" -eq 0 ]
  [ -s "$BATS_TEST_TMPDIR/compose-env" ]
  ! grep -q '^PA_' "$BATS_TEST_TMPDIR/compose-env"
}

@test "RHEL without Docker: dnf, and a clear message when Docker's repository is missing" {
  printf 'ID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.1"\n' >"$PA_INFRA_OS_RELEASE"
  infra --provision_key="$KEY" --gateway=us-east
  [ "$status" -eq 1 ]
  [[ $output == *'Docker compose                     ok    none yet; dnf will install docker-compose-plugin (Compose v2)'* ]]
  grep -qx 'dnf install -y docker-ce docker-ce-cli containerd.io docker-compose-plugin' "$CALLS"
  [[ ${lines[-1]} == "infra.sh: dnf install docker-ce failed (see above): add Docker's repository"* ]]
  [ ! -e "$SECRETS" ]
}

@test "an unsupported OS without Docker: told to install it by hand" {
  printf 'ID=alpine\nVERSION_ID=3.19\n' >"$PA_INFRA_OS_RELEASE"
  infra --provision_key="$KEY" --gateway=us-east --allow-unsupported-os
  [ "$status" -eq 1 ]
  [[ ${lines[-1]} == 'infra.sh: Docker is not installed and infra.sh cannot install it on alpine: install Docker and docker compose, then re-run' ]]
  [ ! -s "$CALLS" ]
}

@test "a failing apt-get stops the install with its output and a reason" {
  stub apt-get '[[ $1 != install ]] || { echo "E: Unable to locate package docker.io"; exit 100; }'
  infra --provision_key="$KEY" --gateway=us-east
  [ "$status" -eq 1 ]
  [[ $output == *'E: Unable to locate package docker.io'* ]]
  [[ ${lines[-1]} == 'infra.sh: apt-get install docker.io failed (see above)' ]]
}

@test "--dry-run installs nothing" {
  infra --provision_key="$KEY" --gateway=us-east --dry-run
  [ "$status" -eq 0 ]
  [[ $output == *'would install Docker and compose'* ]]
  # Only the question of which compose apt-get would install.
  [ "$(cat "$CALLS")" = 'apt-cache policy docker-compose-v2' ]
}

@test "Docker there but no compose: compose is installed (docker-compose when there is no v2 package)" {
  cp "$STUBS/.docker" "$STUBS/docker"
  chmod +x "$STUBS/docker"
  touch "$STUBS/dockerd-running"
  echo 'docker-compose 1.29.2-1' >"$STUBS/candidates"
  stub_compose_v1_install 1.29.2
  infra --provision_key="$KEY" --gateway=us-east
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output == *'Docker compose                     ok    none yet; apt-get will install docker-compose 1.29.2-1'* ]]
  [[ $output == *'installed: Docker version 99.0 (stand-in)'*'installing compose with apt-get'*'compose: docker-compose'* ]]
  ! grep -q 'apt-get install -y docker.io' "$CALLS"
  grep -qx 'apt-get install -y docker-compose' "$CALLS"
  grep -q "^docker-compose --project-name pa-connector .* up -d --remove-orphans$" "$CALLS"
}

@test "compose too old for compose.yaml, packaged or installed: said so, exit 69, before anything changes" {
  # Ubuntu 20.04 packages docker-compose 1.25 and no Compose v2.
  printf 'ID=ubuntu\nVERSION_ID="20.04"\n' >"$PA_INFRA_OS_RELEASE"
  echo 'docker-compose 1.25.0-1' >"$STUBS/candidates"
  infra --provision_key="$KEY" --gateway=us-east
  [ "$status" -eq 69 ]
  [[ $output == *'Docker compose                     FAIL  this OS packages docker-compose 1.25.0-1, too old for compose.yaml (1.29 or later, or Compose v2, needed): install Docker'"'"'s docker-compose-plugin'* ]]
  ! grep -q '^apt-get' "$CALLS"
  [ -z "$(written)" ]
  # An installed docker-compose 1.28: the same, with Docker there.
  cp "$STUBS/.docker" "$STUBS/docker"
  chmod +x "$STUBS/docker"
  printf '#!/bin/bash\necho "docker-compose version 1.28.6, build unknown"\n' >"$STUBS/docker-compose"
  chmod +x "$STUBS/docker-compose"
  infra --provision_key="$KEY" --gateway=us-east
  [ "$status" -eq 69 ]
  [[ $output == *'Docker compose                     FAIL  docker-compose 1.28.6 is too old for compose.yaml (1.29 or later, or Compose v2, needed)'* ]]
  [ -z "$(written)" ]
}

@test "compose of unknown version when apt-get had no lists: checked once installed, too old stops with 69" {
  : >"$STUBS/candidates"
  stub_compose_v1_install 1.17.1
  infra --provision_key="$KEY" --gateway=us-east
  [ "$status" -eq 69 ]
  [[ $output == *'Docker compose                     ok    none yet; apt-get will install it (its version is checked once installed)'* ]]
  [[ ${lines[-1]} == 'infra.sh: docker-compose 1.17.1 is too old for compose.yaml (1.29 or later, or Compose v2, needed): install Docker'"'"'s docker-compose-plugin, then re-run' ]]
}

@test "--proxy: apt-get uses it from a root-only file, never from its command line" {
  stub_apt_config_copy
  infra --provision_key="$KEY" --gateway=us-east --proxy='http://user:s3cret@proxy.corp:3128'
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [ "$(grep -c '^apt-get -c /' "$CALLS")" -eq 3 ]
  grep -qE '^apt-get -c /[^ ]+ install -y docker.io$' "$CALLS"
  ! grep -q 's3cret' "$CALLS"
  [[ $output != *s3cret* && $output == *'apt-get/dnf use the proxy http://[redacted]@proxy.corp:3128'* ]]
  [ "$(cat "$STUBS/apt.conf.mode")" = 600 ]
  [ "$(cat "$STUBS/apt.conf")" = $'Acquire::http::Proxy "http://user:s3cret@proxy.corp:3128";\nAcquire::https::Proxy "http://user:s3cret@proxy.corp:3128";' ]
  # Removed when infra.sh ends.
  [ ! -e "$(sed -n 's/^apt-get -c \([^ ]*\) update$/\1/p' "$CALLS")" ]
}

@test "--proxy: dnf uses it from a root-only copy of dnf.conf" {
  printf 'ID="rhel"\nID_LIKE="fedora"\nVERSION_ID="8.7"\n' >"$PA_INFRA_OS_RELEASE"
  export PA_INFRA_DNF_CONF=$BATS_TEST_TMPDIR/dnf.conf
  printf '[main]\ngpgcheck=1\nproxy=http://old:1\ninstallonly_limit=3\n' >"$PA_INFRA_DNF_CONF"
  # shellcheck disable=SC2016 # expanded by the stand-in
  stub dnf 'cp "$2" "$STUBS/dnf.conf"; stat -c %a "$2" >"$STUBS/dnf.conf.mode"; exit 1'
  infra --provision_key="$KEY" --gateway=us-east --proxy='http://user:s3cret@proxy.corp:3128'
  [ "$status" -eq 1 ]
  grep -qE '^dnf --config /[^ ]+ install -y docker-ce docker-ce-cli containerd.io docker-compose-plugin$' "$CALLS"
  ! grep -q 's3cret' "$CALLS"
  [ "$(cat "$STUBS/dnf.conf.mode")" = 600 ]
  [ "$(cat "$STUBS/dnf.conf")" = $'[main]\nproxy=http://user:s3cret@proxy.corp:3128\ngpgcheck=1\ninstallonly_limit=3' ]
}

@test "loading the images: plain progress lines at most every 10 % when the output is not a terminal" {
  slow_docker_with_big_images 3
  infra --provision_key="$KEY" --gateway=us-east
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  local progress
  progress=$(grep -E '^      loading images: ' <<<"$output")
  echo "$progress"
  # dd reports about once a second while docker load reads 40 MB in about 3 s: some steps, then 100 %.
  [ "$(wc -l <<<"$progress")" -ge 2 ] && [ "$(wc -l <<<"$progress")" -le 11 ]
  [[ $(tail -n 1 <<<"$progress") == '      loading images: 40 MB of 40 MB (100%)' ]]
  # Each line a further tenth: the percentages' tens never repeat.
  [ "$(grep -oE '\(([0-9]+)[0-9]?%\)' <<<"$progress" | sed -E 's/\(([0-9]*)[0-9]%\)/\1/' | sort | uniq -d)" = '' ]
  [[ $output != *$'\r'* ]]
  [[ $output == *'loaded 2 images'* ]]
}

@test "loading the images: one line updated in place on a terminal" {
  slow_docker_with_big_images 1
  local out=$BATS_TEST_TMPDIR/tty.out
  script -qec "bash '$SCRIPT' --provision_key='$KEY' --gateway=us-east </dev/null" /dev/null >"$out"
  local updates
  updates=$(grep -o $'\r      loading images: [0-9]* MB of 40 MB ([0-9]*%)' "$out" | wc -l)
  [ "$updates" -ge 2 ] || { cat -A "$out"; return 1; }
  grep -q $'\r      loading images: 40 MB of 40 MB (100%) \r*$' "$out"
  ! grep -qE '^      loading images: ' "$out"
}

@test "the wait for the connector says what it waits on: the health state and the /ready reason" {
  slow_docker_with_big_images 3
  infra --provision_key="$KEY" --gateway=us-east
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [[ $output == *'0 s: waiting on the connector'"'"'s health check (starting); /ready: not ready: enrolled, tunnels'* ]]
  [[ $output == *'s: waiting on the connector'"'"'s health check (unhealthy); /ready: not ready: tunnels'* ]]
  [[ $output == *'ready after '* ]]
  # Said once per change, not at every poll.
  [ "$(grep -c 'waiting on' <<<"$output")" -eq 2 ]
}

env_value() {
  sed -n "s/^$1=//p" "$ETC/pa_connector.env"
}

# Docker and Compose v2 there, a bundle with 40 MB of images.tar that the docker stand-in loads in
# about 3 s, and a connector whose health check says starting (not enrolled, no tunnels), then
# unhealthy (no tunnels), then healthy, for $1 polls each. Health logs are as docker inspect prints
# `{{json .Output}}{{"\n"}}` per entry: a JSON string holding the /ready answer, then a blank line.
slow_docker_with_big_images() {
  head -c 40000000 /dev/zero >"$HOST/bundle/images.tar"
  tar -C "$HOST/bundle" -cf "$HOST/PoPDeployment.tar" images.tar compose.yaml pa_connector.sh release.json
  touch "$STUBS/dockerd-running" "$STUBS/compose-v2"
  echo "$1" >"$STUBS/polls"
  printf '%s\n' '"{\"ready\":false,\"checks\":{\"redis\":{\"ok\":true},\"enrolled\":{\"ok\":false},\"tunnels\":{\"ok\":false}}}\n"' \
    >"$STUBS/health-log-starting"
  printf '%s\n' '"{\"ready\":false,\"checks\":{\"tunnels\":{\"ok\":false,\"detail\":{\"up\":1}}}}\n"' \
    >"$STUBS/health-log-unhealthy"
  install -m 0755 "$STUBS/.docker" "$STUBS/docker-generic"
  cat >"$STUBS/docker" <<'EOF'
#!/bin/bash
polls=$(cat "$STUBS/polls")
n=$(cat "$STUBS/health-n" 2>/dev/null || echo 0)
# The state of poll N; the health log is the one of the latest poll.
state_of() {
  if (($1 < polls)); then echo starting; elif (($1 < 2 * polls)); then echo unhealthy; else echo healthy; fi
}
case "$*" in
load*)
  echo "docker $*" >>"$CALLS"
  while [[ $(head -c 4000000 | wc -c) -gt 0 ]]; do sleep 0.3; done
  touch "$STUBS/loaded"
  ;;
"image inspect"*) [[ -e $STUBS/loaded ]] ;;
*Health.Status*) echo $((n + 1)) >"$STUBS/health-n" && state_of "$n" ;;
*Health.Log*) cat "$STUBS/health-log-$(state_of $((n - 1)))" 2>/dev/null && echo || true ;;
*) exec "$STUBS/docker-generic" "$@" ;;
esac
EOF
  chmod +x "$STUBS/docker"
}

# apt-get cannot install Compose v2; "install -y docker-compose" installs a docker-compose of version $1.
stub_compose_v1_install() {
  stub apt-get '[[ $* != *docker-compose-v2* ]] || { echo "E: Unable to locate package docker-compose-v2"; exit 100; }
[[ $* != *"install -y docker.io" ]] || install_docker
[[ $* != *"install -y docker-compose" ]] || { printf "#!/bin/bash\necho \"docker-compose \$*\" >>\"\$CALLS\"\n[[ \$1 != --version ]] || echo \"docker-compose version '"$1"', build unknown\"\n[[ \$* != *\" ps \"* ]] || echo 0123abcd\n" >"$STUBS/docker-compose"; chmod +x "$STUBS/docker-compose"; }'
}

# apt-get as stub_package_managers has it, also keeping a copy of the file given with -c (and its mode).
stub_apt_config_copy() {
  # shellcheck disable=SC2016 # expanded by the stand-in
  stub apt-get '[[ $1 != -c ]] || { cp "$2" "$STUBS/apt.conf"; stat -c %a "$2" >"$STUBS/apt.conf.mode"; }
case "$*" in *"install -y docker.io"*) install_docker ;; *"install -y docker-compose-v2"*) touch "$STUBS/compose-v2" ;; esac'
}

# The docker stand-in also writes its environment when compose runs.
stub_env_dump() {
  sed -i 's|^"compose "\*)|"compose "*) env >"$STUBS/../compose-env";|' "$STUBS/.docker"
}
