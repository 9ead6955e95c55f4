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
  printf 'ID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.4"\n' >"$PA_INFRA_OS_RELEASE"
  infra --provision_key="$KEY" --gateway=us-east
  [ "$status" -eq 1 ]
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
  [ ! -s "$CALLS" ]
}

@test "Docker there but no compose: compose is installed (docker-compose when there is no v2 package)" {
  cp "$STUBS/.docker" "$STUBS/docker"
  chmod +x "$STUBS/docker"
  touch "$STUBS/dockerd-running"
  stub apt-get '[[ $* != *docker-compose-v2* ]] || { echo "E: Unable to locate package docker-compose-v2"; exit 100; }
[[ $* != *"install -y docker-compose" ]] || { printf "#!/bin/bash\necho \"docker-compose \$*\" >>\"\$CALLS\"\n[[ \$* != *\" ps \"* ]] || echo 0123abcd\n" >"$STUBS/docker-compose"; chmod +x "$STUBS/docker-compose"; }'
  infra --provision_key="$KEY" --gateway=us-east
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output == *'installed: Docker version 99.0 (stand-in)'*'installing compose with apt-get'*'compose: docker-compose'* ]]
  ! grep -q 'apt-get install -y docker.io' "$CALLS"
  grep -qx 'apt-get install -y docker-compose' "$CALLS"
  grep -q "^docker-compose --project-name pa-connector .* up -d --remove-orphans$" "$CALLS"
}

env_value() {
  sed -n "s/^$1=//p" "$ETC/pa_connector.env"
}

# The docker stand-in also writes its environment when compose runs.
stub_env_dump() {
  sed -i 's|^"compose "\*)|"compose "*) env >"$STUBS/../compose-env";|' "$STUBS/.docker"
}
