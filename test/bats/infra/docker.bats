#!/usr/bin/env bats
# infra.sh with the real Docker engine and compose (no PA_INFRA_SKIP_DOCKER): a small bundle whose
# images.tar holds one image (the local base image under a name of this run) and whose compose.yaml
# runs it as `connector` and `pop-manager`, with a health check that needs the provisioning-key
# secret mounted. infra.sh loads the image, starts the stack under a project name of this run,
# waits for the connector's health, and a re-run recreates nothing; --uninstall removes it.
# Needs root, dockerd (started here when it is not running), docker-compose (or Compose v2) and
# the image pa-base:bookworm (docker/build-base-image.sh).

bats_require_minimum_version 1.5.0
load host
load dockerd

readonly BASE_IMAGE=pa-base:bookworm

setup_file() {
  [ "$EUID" -eq 0 ] || { echo "needs root" >&3; return 1; }
  command -v docker >/dev/null || { echo "needs docker" >&3; return 1; }
  ensure_dockerd
  docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null ||
    { echo "needs docker-compose or Compose v2" >&3; return 1; }
  docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 ||
    { echo "needs the image $BASE_IMAGE (docker/build-base-image.sh)" >&3; return 1; }
  RUN_ID=infra-$$-$RANDOM
  export RUN_ID
  export TEST_IMAGE=pa-infra-test/$RUN_ID:1.0.3
  # The image is saved under its own name, then untagged: infra.sh has to load it.
  export SAVED=$BATS_FILE_TMPDIR/images.tar
  docker tag "$BASE_IMAGE" "$TEST_IMAGE"
  docker save -o "$SAVED" "$TEST_IMAGE"
  docker rmi "$TEST_IMAGE" >/dev/null
}

compose() {
  local c=(docker-compose)
  docker compose version >/dev/null 2>&1 && c=(docker compose)
  "${c[@]}" -p "$PA_INFRA_PROJECT" "$@"
}

teardown() {
  # Everything of this test's project, by its name (unique to this run).
  if [[ -n ${PA_INFRA_PROJECT:-} ]]; then
    compose -f "$HOST/bundle/compose.yaml" --env-file "$ETC/pa.env" down --volumes --timeout 1 >/dev/null 2>&1 || true
  fi
}

teardown_file() {
  docker rmi "$TEST_IMAGE" >/dev/null 2>&1 || true
  stop_dockerd
}

# The bundle of this run; $1 is the connector's health check command.
docker_bundle() {
  local health=$1
  cat >"$HOST/bundle/compose.yaml" <<EOF
services:
  connector:
    image: $TEST_IMAGE
    command: ["sh", "-c", "echo connector-started-$RUN_ID; exec sleep infinity"]
    stop_signal: SIGKILL
    environment:
      PA_REGION: \${PA_REGION}
      PA_SSE_URLS: \${PA_SSE_URLS}
    secrets:
      - provisioning_key
    healthcheck:
      test: ["CMD", "sh", "-c", "$health"]
      interval: 1s
      retries: 2
  pop-manager:
    image: $TEST_IMAGE
    command: ["sleep", "infinity"]
    stop_signal: SIGKILL
secrets:
  provisioning_key:
    file: \${PA_SECRETS_DIR}/provisioning-key
EOF
  printf '{"version": "1.0.3", "images": ["%s"]}\n' "$TEST_IMAGE" >"$HOST/bundle/release.json"
  cp "$SAVED" "$HOST/bundle/images.tar"
  tar -C "$HOST/bundle" -cf "$HOST/PoPDeployment.tar" images.tar compose.yaml pa_connector.sh release.json
}

setup() {
  fake_host
  unset PA_INFRA_SKIP_DOCKER
  export PA_INFRA_PROJECT=$RUN_ID-$BATS_TEST_NUMBER
  export PA_INFRA_READY_TIMEOUT=120
}

# Ids of the running containers of the project.
container_ids() {
  compose -f "$LIB/compose.yaml" --env-file "$ETC/pa.env" ps -q | sort
}

@test "docker: loads the image, starts the stack, waits for the connector; a re-run recreates nothing" {
  docker_bundle 'test -s /run/secrets/provisioning_key'
  infra --provision_key="$KEY" --gateway=us-east --sse_url=https://sse.test:8443
  echo "$output"
  [ "$status" -eq 0 ]
  # The load's progress, counted between the bundle and docker load: plain lines here, ending at 100 %.
  [[ $output == *'loading images.tar from '*'      loading images: '*' MB of '*' MB (100%)'*'loaded 1 images'* ]]
  [[ $output =~ ready\ after\ ([0-9]+)\ s ]]
  echo "# connector healthy ${BASH_REMATCH[1]} s after compose up" >&3
  docker image inspect "$TEST_IMAGE" >/dev/null
  local ids connector
  ids=$(container_ids)
  [ "$(wc -l <<<"$ids")" -eq 2 ]
  connector=$(compose -f "$LIB/compose.yaml" --env-file "$ETC/pa.env" ps -q connector)
  # The settings of pa.env reached the container; the key only as a secret file.
  [ "$(docker exec "$connector" printenv PA_REGION)" = us-east ]
  [ "$(docker exec "$connector" printenv PA_SSE_URLS)" = https://sse.test:8443 ]
  [ "$(docker exec "$connector" cat /run/secrets/provisioning_key)" = "$KEY" ]
  ! docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$connector" | grep -qF "$KEY"
  # pa_connector.sh finds the pop-manager container by the name written in its env file.
  local name
  name=$(env_value "$ETC/pa_connector.env" PA_CONTAINER)
  [ -n "$name" ]
  [ "$(docker inspect -f '{{.State.Running}}' "$name")" = true ]

  infra --provision_key="$KEY" --gateway=us-east --sse_url=https://sse.test:8443
  [ "$status" -eq 0 ]
  [[ $output == *'all 1 images of 1.0.3 already loaded'* ]]
  [[ $output != *wrote* ]]
  [ "$(container_ids)" = "$ids" ]

  infra --uninstall --yes
  [ "$status" -eq 0 ]
  [ -z "$(docker ps -aq --filter "label=com.docker.compose.project=$PA_INFRA_PROJECT")" ]
  [ ! -e "$ETC" ]
}

@test "docker: a connector that never becomes ready fails with a pointer to the logs" {
  docker_bundle 'echo no-tunnels-yet; false'
  PA_INFRA_READY_TIMEOUT=8 infra --provision_key="$KEY" --gateway=us-east
  echo "$output"
  [ "$status" -eq 1 ]
  # While it waits: the health state, and what the failing check said (docker's health log).
  [[ $output == *"s: waiting on the connector's health check (unhealthy); /ready: no-tunnels-yet"* ]]
  [[ ${lines[-1]} == 'infra.sh: the connector was not ready after 8 s (health: unhealthy); see why with: pa_connector.sh logs --service connector'* ]]
  # Before the verdict: the state of the connector and its last log lines.
  [[ $output == *'last lines of the connector (running, restarted 0 times):'*"  connector-started-$RUN_ID"* ]]
  # The menu's settings are there to follow that advice.
  [ -n "$(env_value "$ETC/pa_connector.env" PA_CONTAINER)" ]
}

@test "docker: an image named in release.json but missing from images.tar stops the install" {
  docker_bundle true
  printf '{"version": "1.0.3", "images": ["%s", "pa-infra-test/%s:absent"]}\n' "$TEST_IMAGE" "$RUN_ID" >"$HOST/bundle/release.json"
  tar -C "$HOST/bundle" -cf "$HOST/PoPDeployment.tar" images.tar compose.yaml pa_connector.sh release.json
  infra --provision_key="$KEY" --gateway=us-east
  [ "$status" -eq 1 ]
  [[ $output == *"docker load said:"*"Loaded image: $TEST_IMAGE"* ]]
  [[ ${lines[-1]} == "infra.sh: image pa-infra-test/$RUN_ID:absent is named in release.json but was not loaded from images.tar" ]]
  [ ! -e "$SECRETS" ]
}

env_value() {
  sed -n "s/^$2=//p" "$1"
}
