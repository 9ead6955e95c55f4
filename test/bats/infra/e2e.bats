#!/usr/bin/env bats
# infra.sh end to end on this machine (--allow-unsupported-os): the real images of the POP and the
# real compose.yaml in a bundle built by docker/build-bundle.sh (the images under a tag of this run,
# which are then removed so infra.sh has to load them), the SSE emulator with its two gateways in a
# container of its own as the cloud. infra.sh loads, configures, starts and waits; the connector
# enrolls under the VM's hostname and brings both tunnels up. A re-run changes nothing; --uninstall
# leaves no container, volume, network or file behind.
#
# Needs root, dockerd (started here when it is not running), docker-compose (or Compose v2) and
# the images built by docker/build-images.sh at PA_E2E_IMAGE_VERSION (default: docker/release-version).

bats_require_minimum_version 1.5.0
load host
load dockerd

readonly SERVICES=(connector logging update pop-manager redis)

setup_file() {
  [ "$EUID" -eq 0 ] || { echo "needs root" >&3; return 1; }
  ensure_dockerd
  docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null ||
    { echo "needs docker-compose or Compose v2" >&3; return 1; }
  local repo version s
  repo=$(cd "$BATS_TEST_DIRNAME/../../.." && pwd)
  version=${PA_E2E_IMAGE_VERSION:-$(tr -d '[:space:]' <"$repo/docker/release-version")}
  for s in "${SERVICES[@]}" emulator; do
    docker image inspect "pa-connector/$s:$version" >/dev/null 2>&1 ||
      { echo "needs the image pa-connector/$s:$version (docker/build-images.sh)" >&3; return 1; }
  done
  export RUN_ID=infra-e2e-$$-$RANDOM
  export SOURCE_VERSION=$version
  export VERSION=e2e-$RUN_ID
  export EMULATOR=$RUN_ID-emulator
  export E2E=$BATS_FILE_TMPDIR/e2e
  mkdir -p "$E2E"

  # The bundle, built by docker/build-bundle.sh from this run's tags (then untagged, so infra.sh
  # has to load them): images.tar, the compose.yaml and pa_connector.sh of this checkout, release.json.
  local images=() started=$SECONDS
  for s in "${SERVICES[@]}"; do
    docker tag "pa-connector/$s:$version" "pa-connector/$s:$VERSION"
    images+=("pa-connector/$s:$VERSION")
  done
  "$repo/docker/build-bundle.sh" --skip-build --tag "$VERSION" --out "$E2E/PoPDeployment.tar" >&3
  # release.json names each of the five images at this run's version.
  local release
  release=$(tar -xOf "$E2E/PoPDeployment.tar" release.json)
  for s in "${SERVICES[@]}"; do
    [[ $release == *"\"$s\": {\"image\": \"pa-connector/$s:$VERSION\"}"* ]] ||
      { echo "release.json does not name pa-connector/$s:$VERSION: $release" >&3; return 1; }
  done
  docker rmi "${images[@]}" >/dev/null
  echo "# bundle built in $((SECONDS - started)) s ($(du -m "$E2E/PoPDeployment.tar" | cut -f1) MB)" >&3

  # The cloud: the emulator with one region of two gateways, reached by the connector as "emulator".
  docker run -d --name "$EMULATOR" --cap-add NET_ADMIN --device /dev/net/tun "pa-connector/emulator:$version" \
    node dist/cli.js serve --data-dir /var/lib/pa-emulator --host 0.0.0.0 --admin-host 0.0.0.0 \
    --tls-name emulator --gateways --region local=emulator:1194/udp,emulator:1195/udp >/dev/null
  local i
  for i in $(seq 1 120); do
    emulator_admin GET /admin/healthz >/dev/null 2>&1 && break
    sleep 1
  done
  emulator_admin GET /admin/healthz >/dev/null || { echo "the emulator did not start: $(docker logs "$EMULATOR" 2>&1 | tail -5)" >&3; return 1; }
  # A group and a one-use key, and the emulator's CA, as the demo profile makes them.
  docker exec "$EMULATOR" touch /tmp/key
  docker exec -e PA_EMULATOR_ADMIN_URL=http://127.0.0.1:8444 -e PA_DEMO_KEY_FILE=/tmp/key \
    -e PA_DEMO_CA_FILE=/tmp/ca.pem "$EMULATOR" node /opt/pa-connector/demo-provision.js >/dev/null
  docker cp "$EMULATOR:/tmp/key" "$E2E/key"
  docker cp "$EMULATOR:/tmp/ca.pem" "$E2E/ca.pem"
}

teardown_file() {
  docker rm -f "$EMULATOR" >/dev/null 2>&1 || true
  local s
  for s in "${SERVICES[@]}"; do docker rmi "pa-connector/$s:$VERSION" >/dev/null 2>&1 || true; done
  stop_dockerd
}

# An admin API request inside the emulator's container (its admin port is not published).
emulator_admin() {
  docker exec "$EMULATOR" node -e "fetch('http://127.0.0.1:8444$2',{method:'$1'}).then(async(r)=>{console.log(await r.text());process.exit(r.ok?0:1)},()=>process.exit(1))"
}

setup() {
  fake_host
  unset PA_INFRA_SKIP_DOCKER PA_INFRA_OS_RELEASE PA_INFRA_PROC_MEMINFO PA_INFRA_RESOLV_CONF \
    PA_INFRA_TZ PA_INFRA_DISK_FREE_KB
  export PA_INFRA_BUNDLE=$E2E/PoPDeployment.tar
  export PA_INFRA_PROJECT=$RUN_ID
  export PA_INFRA_HOSTNAME=$RUN_ID
  export PA_INFRA_READY_TIMEOUT=300
  # This machine has fewer CPUs than a POP should. The disk check's 50 GB is a POP's room for
  # logs and growth, not what this test uses (the images, a few GB): it depends on what else the
  # host holds, so the test asks for 5 GB. The other checks are the host's own.
  export PA_INFRA_CPUS=4
  export PA_INFRA_MIN_DISK_GB=5
}

teardown() {
  docker network disconnect -f "${RUN_ID}_egress" "$EMULATOR" >/dev/null 2>&1 || true
  if [[ -f $ETC/pa.env ]]; then
    bash "$SCRIPT" --uninstall --yes </dev/null >/dev/null 2>&1 || true
  fi
}

install_pop() {
  bash "$SCRIPT" --allow-unsupported-os --provision_key_file="$E2E/key" --gateway=local \
    --sse_url=https://emulator:8443 --sse_ca_file="$E2E/ca.pem" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1
}

@test "infra.sh end to end: bundle loaded, stack up, connector enrolled with two tunnels; re-run and uninstall" {
  local started=$SECONDS
  install_pop &
  local pid=$!
  # The emulator joins the POP's egress network as "emulator" as soon as compose has made it.
  local i
  for i in $(seq 1 300); do
    docker network inspect "${RUN_ID}_egress" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  docker network connect --alias emulator "${RUN_ID}_egress" "$EMULATOR" || true
  local status=0
  wait "$pid" || status=$?
  output=$(cat "$BATS_TEST_TMPDIR/out")
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output == *'OS and version'*'is not supported; going on (--allow-unsupported-os)'* ]]
  [[ $output == *'loading images.tar from'*"loaded 5 images"* ]]
  [[ $output =~ ready\ after\ ([0-9]+)\ s ]]
  echo "# infra.sh took $((SECONDS - started)) s; the connector was ready ${BASH_REMATCH[1]} s after compose up" >&3

  # infra.sh waits for the connector only; the other services turn healthy at their next check.
  local s health tries
  for s in "${SERVICES[@]}"; do
    for ((tries = 0; tries < 60; tries++)); do
      health=$(docker inspect -f '{{.State.Health.Status}}' "$(compose_id "$s")")
      [ "$health" = healthy ] && break
      sleep 1
    done
    [ "$health" = healthy ] || { echo "$s is not healthy after 60 s ($health)"; return 1; }
  done
  # The cloud sees the POP under this host's name, in the region asked for.
  local connectors
  connectors=$(emulator_admin GET /admin/connectors)
  [[ $connectors == *"\"hostname\":\"$RUN_ID\""* ]]
  [[ $connectors == *'"region":"local"'* ]]
  [ "$(docker logs "$(compose_id connector)" 2>&1 | grep -c '"msg":"tunnel connected"')" -ge 2 ]

  check_menu

  # Same settings again: nothing written, no container recreated.
  local ids
  ids=$(docker ps -q --filter "label=com.docker.compose.project=$RUN_ID" | sort)
  started=$SECONDS
  install_pop
  output=$(cat "$BATS_TEST_TMPDIR/out")
  [[ $output == *"all 5 images of $VERSION already loaded"* ]]
  [[ $output != *wrote* ]]
  [ "$(docker ps -q --filter "label=com.docker.compose.project=$RUN_ID" | sort)" = "$ids" ]
  echo "# re-run took $((SECONDS - started)) s" >&3

  docker network disconnect -f "${RUN_ID}_egress" "$EMULATOR"
  run bash "$SCRIPT" --uninstall --yes </dev/null
  [ "$status" -eq 0 ]
  [ -z "$(docker ps -aq --filter "label=com.docker.compose.project=$RUN_ID")" ]
  [ -z "$(docker volume ls -q --filter "label=com.docker.compose.project=$RUN_ID")" ]
  [ -z "$(docker network ls -q --filter "label=com.docker.compose.project=$RUN_ID")" ]
  [ ! -e "$ETC" ] && [ ! -e "$LIB" ]
}

# The installed menu, as the operator runs it: pa_connector.sh from its link, with the settings
# infra.sh wrote; it has no CLI on the host, so every entry runs in the pop-manager container.
pa_connector() {
  PA_CONNECTOR_ENV=$ETC/pa_connector.env "$PA_INFRA_ROOT/usr/local/bin/pa_connector.sh" "$@"
}

# True when a line of $output matches the extended regular expression.
has_line() {
  grep -Eq -- "$1" <<<"$output"
}

check_menu() {
  local s
  # 1: the four services up.
  run pa_connector status
  echo "$output"
  [ "$status" -eq 0 ]
  for s in connector logging update pop-manager; do
    has_line "^$s +up " || { echo "status: $s is not up"; return 1; }
  done
  # 2: the release, as the services report it.
  run pa_connector version
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output =~ SERVICE[[:space:]]+RUNNING ]]
  has_line '^pop-manager +v?[0-9]+(\.[0-9]+)+'
  run pa_connector version --json
  [ "$status" -eq 0 ]
  [[ $output == *'"manualUpgrade": null'* ]]
  # 3 and 4: both tunnels, and the group's app.
  run pa_connector tunnels
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(grep -c '[[:space:]]connected[[:space:]]' <<<"$output")" -eq 2 ]
  run pa_connector apps
  echo "$output"
  [ "$status" -eq 0 ]
  has_line '^Demo web app +demo-app:8080 '
  # 5: log lines of the POP, from the logging service.
  run pa_connector logs --service connector --limit 20
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output =~ connector[[:space:]]+INFO ]]
  # 6: the host's time zone and DNS files (not the container's), the SSE through the CA
  # infra.sh installed, and the gateways the connector registered (its identity).
  local nameserver
  nameserver=$(awk '$1 == "nameserver" { print $2; exit }' /etc/resolv.conf)
  run pa_connector diagnose --no-apps
  echo "$output"
  [ "$status" -eq 0 ]
  has_line '^host +time zone .* ok +/host/etc/localtime '
  has_line "^host +resolv\\.conf .* ok +[0-9]+ nameservers?: ${nameserver//./\\.}"
  # (a WARN only for its port: the saas profile expects 443)
  has_line '^emulator +8443 +tcp +connector registration +(ok|WARN) .*TLSv1'
  [[ $output == *'Gateways: registered gateways in /var/lib/pa-connector/identity/identity.json'* ]]
  [ "$(grep -c 'tunnel to gateway' <<<"$output")" -eq 2 ]
  # The menu itself, fed from a pipe: every entry, then q.
  run pa_connector menu <<<$'1\n2\n3\n4\n5\n6\nq\n'
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(grep -c 'Choice: ' <<<"$output")" -eq 7 ]
  has_line '^connector +up '
  [[ $output == *'POP release: '* && $output == *'/host/etc/localtime'* ]]
  [[ $output != *'ended with exit code'* ]]
  check_drain
}

# The group as the cloud reports it, then a drain: the gateways told, the connector's container
# stopped and kept down until `start` brings the same container back.
check_drain() {
  run pa_connector status
  echo "$output"
  [ "$status" -eq 0 ]
  has_line '^draining: +no$'
  has_line '^group: +.+: 0 peers \(0 active\), update slot free$'
  local id health tries
  id=$(compose_id connector)
  run pa_connector drain --grace 5
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(docker inspect -f '{{.State.Running}}' "$id")" = false ]
  sleep 3
  [ "$(docker inspect -f '{{.State.Running}}' "$id")" = false ]
  docker logs "$id" 2>&1 | grep -q '"msg":"drain started: the gateways are told'
  run pa_connector start
  echo "$output"
  [ "$status" -eq 0 ]
  for ((tries = 0; tries < 120; tries++)); do
    health=$(docker inspect -f '{{.State.Health.Status}}' "$id")
    [ "$health" = healthy ] && break
    sleep 1
  done
  [ "$health" = healthy ] || { echo "the connector is not healthy 120 s after start ($health)"; return 1; }
  [ "$(compose_id connector)" = "$id" ]
}

compose_id() {
  docker ps -q --filter "label=com.docker.compose.project=$RUN_ID" --filter "label=com.docker.compose.service=$1" | head -n1
}
