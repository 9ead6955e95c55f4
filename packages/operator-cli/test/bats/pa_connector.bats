#!/usr/bin/env bats
# pa_connector.sh: argument handling, env file, menu, and the way it runs the CLI (host node or
# docker exec). The services are a small stub (stub-pop-services.js): these tests are about the
# wrapper; the CLI's own tests cover the rest.

bats_require_minimum_version 1.5.0

setup_file() {
  REPO=$(cd "$BATS_TEST_DIRNAME/../../../.." && pwd)
  export REPO
  export SCRIPT=$REPO/pa_connector.sh
  # The CLI the wrapper runs with the host's node.
  flock "$REPO/node_modules/.pa-build.lock" node "$REPO/node_modules/typescript/bin/tsc" -b "$REPO/packages/operator-cli"
  export CLI=$REPO/packages/operator-cli/dist/cli.js
  export STUB_DIR=$BATS_FILE_TMPDIR/stub
  mkdir -p "$STUB_DIR"
  node "$BATS_TEST_DIRNAME/stub-pop-services.js" >"$STUB_DIR/port" 2>"$STUB_DIR/stderr" &
  echo $! >"$STUB_DIR/pid"
  for _ in $(seq 1 100); do
    [[ -s $STUB_DIR/port ]] && break
    sleep 0.05
  done
  [[ -s $STUB_DIR/port ]] || { echo "stub server did not start: $(cat "$STUB_DIR/stderr")" >&3; return 1; }
  STUB_PORT=$(head -n1 "$STUB_DIR/port")
  export STUB_PORT
}

teardown_file() {
  [[ -f $STUB_DIR/pid ]] && kill "$(cat "$STUB_DIR/pid")" 2>/dev/null || true
}

setup() {
  ENV_FILE=$BATS_TEST_TMPDIR/pa_connector.env
  cat >"$ENV_FILE" <<ENV
# written by the test
PA_POP_MANAGER_URL=http://127.0.0.1:$STUB_PORT
PA_LOGGING_URL="http://127.0.0.1:$STUB_PORT"
PA_CONNECTOR_URL=http://127.0.0.1:$STUB_PORT
PA_OPERATOR_CLI='$CLI'
ENV
  export PA_CONNECTOR_ENV=$ENV_FILE
}

@test "help prints every command and exits 0" {
  run bash "$SCRIPT" help
  [ "$status" -eq 0 ]
  for c in status version tunnels apps logs diagnose drain undrain start menu; do
    [[ $output == *"  $c"* ]]
  done
  run bash "$SCRIPT" --help
  [ "$status" -eq 0 ]
}

@test "help needs no env file" {
  PA_CONNECTOR_ENV=$BATS_TEST_TMPDIR/absent run bash "$SCRIPT" help
  [ "$status" -eq 0 ]
}

@test "unknown command: usage on stderr, nothing on stdout, exit 64" {
  run --separate-stderr bash "$SCRIPT" reboot
  [ "$status" -eq 64 ]
  [ -z "$output" ]
  [[ ${stderr_lines[0]} == 'pa_connector.sh: unknown command "reboot"' ]]
  [[ $stderr == *"usage: pa_connector.sh"* ]]
}

@test "no command without a terminal: usage, exit 64" {
  run --separate-stderr bash "$SCRIPT" </dev/null
  [ "$status" -eq 64 ]
  [[ $stderr == *"no command given and no terminal"* ]]
}

@test "env file missing: a clear error naming it, exit 78" {
  PA_CONNECTOR_ENV=$BATS_TEST_TMPDIR/nope.env run --separate-stderr bash "$SCRIPT" status
  [ "$status" -eq 78 ]
  [[ $stderr == "pa_connector.sh: settings file $BATS_TEST_TMPDIR/nope.env not found (set PA_CONNECTOR_ENV to its path)" ]]
}

@test "env file with shell code is refused (never sourced), naming the line" {
  printf 'PA_POP_MANAGER_URL=http://x\n$(touch %s/owned)\n' "$BATS_TEST_TMPDIR" >"$ENV_FILE"
  run --separate-stderr bash "$SCRIPT" status
  [ "$status" -eq 78 ]
  [[ $stderr == *"line 2 is not KEY=value"* ]]
  [ ! -e "$BATS_TEST_TMPDIR/owned" ]
}

@test "status --json: pop-manager's /status as JSON" {
  run --separate-stderr bash "$SCRIPT" status --json
  [ "$status" -eq 0 ]
  [[ $output == *'"hostname": "bats-pop"'* ]]
  node -e 'const s=JSON.parse(require("fs").readFileSync(0,"utf8")); if (s.services.length!==2) process.exit(1)' <<<"$output"
}

@test "status, version, tunnels, apps: aligned tables" {
  run bash "$SCRIPT" status
  [ "$status" -eq 0 ]
  [[ $output == *"POP:"*"bats-pop"* ]]
  [[ $output =~ connector:[[:space:]]+ready ]]
  [[ $output =~ connector[[:space:]]+up[[:space:]]+1\.2\.3[[:space:]]+101 ]]
  [[ $output =~ logging[[:space:]]+stale ]]
  run bash "$SCRIPT" version
  [ "$status" -eq 0 ]
  [[ $output =~ SERVICE[[:space:]]+RUNNING ]]
  run bash "$SCRIPT" tunnels
  [[ $output =~ t1[[:space:]]+gw-a[[:space:]]+192\.0\.2\.1:1194/udp[[:space:]]+connected ]]
  run bash "$SCRIPT" apps
  [[ $output =~ wiki[[:space:]]+wiki\.corp:443[[:space:]]+up[[:space:]]+1/1 ]]
}

@test "logs: recent lines, one per line" {
  run bash "$SCRIPT" logs --level warn
  [ "$status" -eq 0 ]
  [[ $output == *"connector    WARN   catalog entry rejected appId=x"* ]]
}

@test "the CLI's own usage errors come back as exit 64" {
  run --separate-stderr bash "$SCRIPT" logs --level loud
  [ "$status" -eq 64 ]
  [[ $stderr == *"--level must be one of"* ]]
}

@test "a service that is down: one line naming it, exit 69" {
  port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  printf 'PA_POP_MANAGER_URL=http://127.0.0.1:%s\nPA_OPERATOR_CLI=%s\n' "$port" "$CLI" >"$ENV_FILE"
  run --separate-stderr bash "$SCRIPT" status
  [ "$status" -eq 69 ]
  [[ $stderr == "pa-operator: pop-manager is not reachable at http://127.0.0.1:$port/status (connection refused); check that it runs and PA_POP_MANAGER_URL" ]]
}

@test "menu: rejects bad input, runs the entry chosen, quits on q" {
  run bash "$SCRIPT" menu <<<$'9\n\n1\nq\n'
  [ "$status" -eq 0 ]
  [[ $output == *'Invalid choice "9": enter a number from 1 to 6, or q to quit.'* ]]
  [[ $output == *'Invalid choice "": enter a number'* ]]
  [[ $output =~ connector[[:space:]]+up ]]
  [[ $output == *"q) Quit"* ]]
}

@test "menu without a terminal: every entry 1 to 6 runs, logs shows the recent lines instead of following" {
  # A wrong setting for diagnose (the endpoints are otherwise derived from the cloud's domain,
  # which a test must not look up): its refusal is reported and the menu goes on.
  printf 'PA_SSE_URLS=ftp://sse.test\n' >>"$ENV_FILE"
  run --separate-stderr timeout 60 bash "$SCRIPT" menu <<<$'1\n2\n3\n4\n5\n6\nq\n'
  [ "$status" -eq 0 ]
  [[ $output =~ connector[[:space:]]+up ]]
  [[ $output =~ SERVICE[[:space:]]+RUNNING ]]
  [[ $output =~ t1[[:space:]]+gw-a ]]
  [[ $output =~ wiki[[:space:]]+wiki\.corp:443 ]]
  [[ $output == *"catalog entry rejected appId=x"* ]]
  [[ $output != *"live line"* ]]
  [[ $output == *"(diagnose ended with exit code 78)"* ]]
  [[ $stderr == *"PA_SSE_URLS: must use https, got ftp:"* ]]
  [ "$(grep -c 'Choice: ' <<<"$output")" -eq 7 ]
}

@test "menu: end of input quits cleanly" {
  run bash "$SCRIPT" menu </dev/null
  [ "$status" -eq 0 ]
}

# True once FILE holds at least N lines matching PATTERN (waits up to 15 s): the terminal tests
# type each key once the screen shows what it answers, like a person.
seen() {
  local i
  for i in $(seq 1 300); do
    [[ $(grep -c -- "$2" "$1" 2>/dev/null) -ge $3 ]] && return 0
    sleep 0.05
  done
  return 1
}

# `script` runs its command with `$SHELL -c`. `exec` keeps that shell out of the terminal's
# foreground group: dash (the /bin/sh script falls back to when SHELL is unset) stays as the
# wrapper's parent, gets the Ctrl-C meant for the log tail, and dies of it once the menu ends.
# SHELL=/bin/sh makes every run, on a desk or in CI, start the menu the same way.
@test "menu on a terminal when run with no arguments" {
  SHELL=/bin/sh run script -qec "exec bash '$SCRIPT'" /dev/null <<<$'2\n\nq\n'
  [ "$status" -eq 0 ]
  [[ $output == *"1) Service status"* ]]
  [[ $output =~ SERVICE[[:space:]]+RUNNING ]]
}

@test "menu on a terminal: Ctrl-C ends the log tail and returns to the menu" {
  out=$BATS_TEST_TMPDIR/terminal.out
  {
    seen "$out" 'Choice:' 1 && printf '5\n'
    seen "$out" 'live line' 1 && printf '\003'
    seen "$out" 'Press Enter' 1 && printf '\n'
    seen "$out" 'Choice:' 2 && printf 'q\n'
    sleep 0.5
  } | SHELL=/bin/sh timeout 30 script -qefc "exec bash '$SCRIPT'" /dev/null >"$out"
  run cat "$out"
  [[ $output == *"WARN   live line"* ]]
  [[ $output != *"ended with exit code"* ]]
  [ "$(grep -c 'Choice:' "$out")" -eq 2 ]
}

@test "menu on a terminal: a Ctrl-C right after the choice, before the CLI is up, returns to the menu" {
  out=$BATS_TEST_TMPDIR/terminal.out
  calls=$BATS_TEST_TMPDIR/calls
  bin=$BATS_TEST_TMPDIR/bin
  mkdir -p "$bin"
  : >"$calls"
  # Each program the entry may start notes its name first; readlink then lingers, so a Ctrl-C
  # sent as soon as it shows up lands while it still runs.
  printf '#!/bin/sh\necho node >>"%s"\nexec "%s" "$@"\n' "$calls" "$(command -v node)" >"$bin/node"
  printf '#!/bin/sh\necho readlink >>"%s"\nsleep 1\nexec "%s" "$@"\n' "$calls" "$(command -v readlink)" >"$bin/readlink"
  printf '#!/bin/sh\necho docker >>"%s"\nexit 7\n' "$calls" >"$bin/docker"
  chmod +x "$bin/node" "$bin/readlink" "$bin/docker"
  {
    seen "$out" 'Choice:' 1 && before=$(wc -l <"$calls") && printf '5\n'
    seen "$calls" . $((before + 1)) && printf '\003'
    seen "$out" 'Press Enter' 1 && printf '\n'
    seen "$out" 'Choice:' 2 && printf 'q\n'
    sleep 0.5
  } | PATH="$bin:$PATH" SHELL=/bin/sh timeout 30 script -qefc "exec bash '$SCRIPT'" /dev/null >"$out"
  run cat "$calls"
  [[ $output != *docker* ]]
  [ "$(grep -c 'Choice:' "$out")" -eq 2 ]
}

@test "run through a symlink, it finds the CLI of its checkout" {
  ln -s "$SCRIPT" "$BATS_TEST_TMPDIR/pa_connector.sh"
  printf 'PA_POP_MANAGER_URL=http://127.0.0.1:%s\nPA_CONNECTOR_URL=http://127.0.0.1:%s\n' "$STUB_PORT" "$STUB_PORT" >"$ENV_FILE"
  run bash "$BATS_TEST_TMPDIR/pa_connector.sh" version
  [ "$status" -eq 0 ]
  [[ $output =~ SERVICE[[:space:]]+RUNNING ]]
}

@test "without the CLI on the host: docker exec into the pop-manager container, settings by name only" {
  bin=$BATS_TEST_TMPDIR/bin
  mkdir -p "$bin"
  cat >"$bin/docker" <<'SH'
#!/usr/bin/env bash
printf '%s\n' "$@" >"$DOCKER_ARGS"
printf 'PA_SSE_URLS=%s\n' "${PA_SSE_URLS:-}" >>"$DOCKER_ARGS"
exit 7
SH
  chmod +x "$bin/docker"
  printf 'PA_OPERATOR_CLI=/nonexistent/cli.js\nPA_CONTAINER=pa-pop-manager-test\nPA_SSE_URLS=https://sse.example\nPA_PROXY_URL_FILE=/run/secrets/proxy\nPA_DATA_DIR=/srv/pa\n' >"$ENV_FILE"
  DOCKER_ARGS=$BATS_TEST_TMPDIR/args PATH="$bin:$PATH" run bash "$SCRIPT" diagnose --json
  [ "$status" -eq 7 ]
  run cat "$BATS_TEST_TMPDIR/args"
  [ "${lines[0]}" = exec ]
  [ "${lines[1]}" = -i ]
  # Where things are in the container (the logging service, the host's files under /host), each
  # by name when the env file sets it; then the env file's settings, by name.
  [[ $output == *$'-e\nPA_LOGGING_URL=http://logging:8081\n-e\nPA_DATA_DIR\n-e\nPA_DIAG_LOCALTIME=/host/etc/localtime\n-e\nPA_DIAG_RESOLV_CONF=/host/etc/resolv.conf\n-e\nPA_SSE_URLS\n-e\nPA_PROXY_URL_FILE\npa-pop-manager-test\npa-operator\ndiagnose\n--json'* ]]
  [[ $output == *"PA_SSE_URLS=https://sse.example"* ]]
}

@test "menu without a terminal, through docker exec: the piped choices stay the menu's" {
  bin=$BATS_TEST_TMPDIR/bin
  mkdir -p "$bin"
  # Like `docker exec -i`, it reads all of its input.
  cat >"$bin/docker" <<'SH'
#!/usr/bin/env bash
cat >/dev/null
printf 'ran %s\n' "${*: -1}"
SH
  chmod +x "$bin/docker"
  printf 'PA_OPERATOR_CLI=/nonexistent/cli.js\nPA_CONTAINER=pa-pop-manager-test\n' >"$ENV_FILE"
  PATH="$bin:$PATH" run timeout 20 bash "$SCRIPT" menu <<<$'1\n2\n6\nq\n'
  [ "$status" -eq 0 ]
  [[ $output == *'ran status'*'ran version'*'ran diagnose'* ]]
  [ "$(grep -c 'Choice: ' <<<"$output")" -eq 4 ]
}

@test "a container name that is not one is refused" {
  printf 'PA_OPERATOR_CLI=/nonexistent\nPA_CONTAINER=x;rm -rf /\n' >"$ENV_FILE"
  run --separate-stderr bash "$SCRIPT" status
  [ "$status" -eq 78 ]
  [[ $stderr == *'PA_CONTAINER: "x;rm -rf /" is not a container name'* ]]
}

@test "neither node with the CLI nor docker: a clear error, exit 69" {
  printf 'PA_OPERATOR_CLI=/nonexistent/cli.js\n' >"$ENV_FILE"
  run env PATH="$BATS_TEST_TMPDIR/empty" "$BASH" "$SCRIPT" status
  [ "$status" -eq 69 ]
  [[ $output == *"cannot run the operator CLI: no node with /nonexistent/cli.js on this host, and no docker to reach container pa-pop-manager"* ]]
}

# A docker that records its arguments (one per line, a blank line between calls) and answers
# `ps` with the connector container's id.
docker_recorder() {
  bin=$BATS_TEST_TMPDIR/bin
  mkdir -p "$bin"
  cat >"$bin/docker" <<'SH'
#!/usr/bin/env bash
printf '%s\n' "$@" '' >>"$DOCKER_ARGS"
[[ $1 == ps ]] && printf 'c0ffee\n'
exit 0
SH
  chmod +x "$bin/docker"
  export DOCKER_ARGS=$BATS_TEST_TMPDIR/docker-args
  export PATH="$bin:$PATH"
}

@test "drain: the CLI drains the connector, then docker stops its container with the grace plus a margin" {
  docker_recorder
  run --separate-stderr bash "$SCRIPT" drain --grace 20
  [ "$status" -eq 0 ]
  [[ $output == *"Drained: no connection left open."* ]]
  [[ $stderr == *"The connector is stopped and stays stopped; bring it back with: pa_connector.sh start"* ]]
  run cat "$DOCKER_ARGS"
  [ "$output" = "$(printf '%s\n' ps -aq --filter label=com.docker.compose.project=pa-connector --filter label=com.docker.compose.service=connector '' stop --time 50 c0ffee)" ]
}

@test "drain without a grace: docker waits the longest default grace plus the margin; a named container is used as is" {
  docker_recorder
  printf 'PA_CONNECTOR_URL=http://127.0.0.1:%s\nPA_OPERATOR_CLI=%s\nPA_CONNECTOR_CONTAINER=pa-conn-test\n' "$STUB_PORT" "$CLI" >"$ENV_FILE"
  run bash "$SCRIPT" drain
  [ "$status" -eq 0 ]
  run cat "$DOCKER_ARGS"
  [ "$output" = "$(printf '%s\n' stop --time 90 pa-conn-test)" ]
}

@test "drain: when the drain fails the container is not stopped, and the CLI's exit code comes back" {
  docker_recorder
  port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  printf 'PA_CONNECTOR_URL=http://127.0.0.1:%s\nPA_OPERATOR_CLI=%s\n' "$port" "$CLI" >"$ENV_FILE"
  run --separate-stderr bash "$SCRIPT" drain --grace 5
  [ "$status" -eq 69 ]
  [[ $stderr == *"connector is not reachable"* ]]
  [[ $stderr == *"the connector is not stopped (the drain did not finish)"* ]]
  run grep -c '^stop$' "$DOCKER_ARGS"
  [ "$output" = 0 ]
}

@test "start: docker starts the connector container; undrain goes to the CLI" {
  docker_recorder
  run bash "$SCRIPT" start
  [ "$status" -eq 0 ]
  [[ $output == *"The connector container c0ffee is starting"* ]]
  run tail -n 3 "$DOCKER_ARGS"
  [ "$output" = "$(printf '%s\n' start c0ffee '')" ]
  run bash "$SCRIPT" undrain
  [ "$status" -eq 0 ]
  [[ $output == "Back in service: the gateways send users to this connector again." ]]
  run --separate-stderr bash "$SCRIPT" start now
  [ "$status" -eq 64 ]
  [[ $stderr == *"start takes no options"* ]]
}

@test "drain and start name a bad container or project setting" {
  printf 'PA_OPERATOR_CLI=%s\nPA_CONNECTOR_CONTAINER=x;reboot\n' "$CLI" >"$ENV_FILE"
  run --separate-stderr bash "$SCRIPT" start
  [ "$status" -eq 78 ]
  [[ $stderr == *'PA_CONNECTOR_CONTAINER: "x;reboot" is not a container name'* ]]
  printf 'PA_OPERATOR_CLI=%s\nPA_COMPOSE_PROJECT=../x\n' "$CLI" >"$ENV_FILE"
  run --separate-stderr bash "$SCRIPT" drain
  [ "$status" -eq 78 ]
  [[ $stderr == *'PA_COMPOSE_PROJECT: "../x" is not a compose project name'* ]]
}

@test "shellcheck finds nothing" {
  run shellcheck "$SCRIPT"
  [ "$status" -eq 0 ]
}
