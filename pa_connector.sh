#!/usr/bin/env bash
# pa_connector.sh: the operator's menu of a POP (1 service status, 2 version, 3 tunnels, 4 apps,
# 5 logs, 6 diagnose). Every entry also runs non-interactively, e.g. `pa_connector.sh status --json`.
# `drain` takes the connector out of service and stops its container; `start` brings it back.
#
# Settings come from an env file (PA_CONNECTOR_ENV, default /etc/pa-connector/pa_connector.env):
# KEY=value lines, no shell code (the file is parsed, never sourced). The commands run the
# operator CLI (pa-operator) with this host's node when both are present (local demo, source
# checkout); otherwise inside the pop-manager container with `docker exec`, whose image is
# expected to have `pa-operator` on its PATH.
set -euo pipefail

readonly PROG=pa_connector.sh
readonly DEFAULT_ENV_FILE=/etc/pa-connector/pa_connector.env
# The compose project infra.sh starts the stack under.
readonly DEFAULT_PROJECT=pa-connector
# Seconds docker waits after the drain before it kills the connector: its own stop (tunnels,
# heartbeat, log shipping) once nothing is left open, with room to spare.
readonly STOP_MARGIN=30
# The grace of a drain that names none, at most (PA_PROXY_DRAIN_GRACE is 60 s at most).
readonly MAX_DEFAULT_GRACE=60
readonly COMMANDS='status version tunnels apps logs diagnose drain undrain start'
# Exit codes of its own, numbered as in docs/exit-codes.md (the CLI's pass through unchanged).
readonly E_USAGE=64 E_UNAVAILABLE=69 E_CONFIG=78
# Settings handed to the CLI inside the container (by name: `docker exec -e NAME` reads the value
# from this process, so no value ever appears in a process list).
readonly FORWARDED=(PA_SSE_URLS PA_SSE_CA_FILE PA_PROXY_URL PA_PROXY_URL_FILE PA_NO_PROXY PA_REGION
  PA_GATEWAYS PA_DIAG_PROFILE PA_DIAG_SSE_PORT PA_DIAG_GATEWAY_PORT PA_DIAG_TIMEOUT
  PA_CLOUD_DOMAIN PA_CLOUD_PROFILE PA_REGISTRATION_URL PA_TOKEN_URL PA_CATALOG_URL PA_COLLECTOR_URLS
  PA_GATEWAY PA_REGISTRY)
# Where things are inside the pop-manager container (compose.yaml), unless the env file says
# otherwise: the CLI's own defaults are those of a host (services on 127.0.0.1, /etc). Given at
# each exec, as pop-manager's environment takes only its own settings.
readonly IN_CONTAINER=(
  PA_LOGGING_URL=http://logging:8081
  PA_DATA_DIR=/var/lib/pa-connector
  PA_DIAG_LOCALTIME=/host/etc/localtime
  PA_DIAG_RESOLV_CONF=/host/etc/resolv.conf
)

usage() {
  cat <<EOF
usage: $PROG [command] [options]

With no command on a terminal: the interactive menu.

commands:
  status [--json]      1  service status: services (up/stale/down), tunnels, apps, errors
  version [--json]     2  running version of each service, the available one when known, and
                          whether this POP must be upgraded by hand (infra.sh of the new package)
  tunnels [--json]     3  tunnels to the gateways
  apps [--json]        4  private apps and the health of their servers
  logs [-f] [--service S] [--level L] [--limit N] [--json]
                       5  recent log lines (-f: follow live until Ctrl-C)
  diagnose [--json] [--profile saas|onprem] [--sse-port N] [--gateway-port N] [--no-apps]
                       6  every connection the POP makes, checked live (exit 1 on a failure)
  drain [--grace S] [--json]
                          the connector drains (the cloud sends its users to the group's other
                          connectors, open connections may finish within S seconds), then its
                          container is stopped and stays stopped until start
  undrain [--json]        the connector back in service without a restart (after the CLI's drain)
  start                   starts the connector container again (after drain)
  menu                    the interactive menu, even without a terminal
  help                    this text

settings: PA_CONNECTOR_ENV names the env file (default $DEFAULT_ENV_FILE); drain and start find
the connector container by its compose labels (project PA_COMPOSE_PROJECT, default
$DEFAULT_PROJECT), or by name with PA_CONNECTOR_CONTAINER.
exit codes: 0 ok, 1 a required diagnose check failed, 64 bad command line, 69 a POP service is
not reachable or there is no way to run the CLI, 78 a setting or the env file is wrong.
EOF
}

usage_error() {
  printf '%s: %s\n' "$PROG" "$*" >&2
  usage >&2
  exit "$E_USAGE"
}

die() {
  local code=$1
  shift
  printf '%s: %s\n' "$PROG" "$*" >&2
  exit "$code"
}

# Reads KEY=value lines into the environment. Values may be quoted with '' or "" (no escapes,
# no expansion). Anything else except blank lines and # comments is an error naming the line.
load_env_file() {
  local file=$1 line key value n=0
  [[ -e $file ]] || die "$E_CONFIG" "settings file $file not found (set PA_CONNECTOR_ENV to its path)"
  [[ -r $file ]] || die "$E_CONFIG" "settings file $file is not readable by this user (try sudo)"
  while IFS= read -r line || [[ -n $line ]]; do
    n=$((n + 1))
    line=${line%$'\r'}
    [[ $line =~ ^[[:space:]]*(#.*)?$ ]] && continue
    if [[ ! $line =~ ^[[:space:]]*(export[[:space:]]+)?([A-Z_][A-Z0-9_]*)=(.*)$ ]]; then
      die "$E_CONFIG" "$file line $n is not KEY=value"
    fi
    key=${BASH_REMATCH[2]}
    value=${BASH_REMATCH[3]}
    if [[ $value =~ ^\"(.*)\"$ || $value =~ ^\'(.*)\'$ ]]; then
      value=${BASH_REMATCH[1]}
    fi
    export "$key=$value"
  done <"$file"
}

# The CLI of a source checkout next to this script (followed through a symlink such as
# /usr/local/bin/pa_connector.sh), unless the env file names one.
cli_path() {
  local self=${BASH_SOURCE[0]} here
  self=$(readlink -f -- "$self" 2>/dev/null) || self=${BASH_SOURCE[0]}
  here=${self%/*}
  [[ $here == "$self" ]] && here=.
  printf '%s\n' "${PA_OPERATOR_CLI:-$here/packages/operator-cli/dist/cli.js}"
}

# The CLI's path, resolved once by main before the menu traps Ctrl-C: a command substitution's
# subshell does not keep that trap, so a lookup at each menu entry could die of a Ctrl-C pressed
# just after the choice, and run_cli would then turn to docker (or leave the menu) instead.
OPERATOR_CLI=

# Runs the CLI with its arguments; returns its exit code.
run_cli() {
  local cli=$OPERATOR_CLI
  if command -v node >/dev/null 2>&1 && [[ -f $cli ]]; then
    node "$cli" "$@"
    return
  fi
  local container=${PA_CONTAINER:-pa-pop-manager}
  [[ $container =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || die "$E_CONFIG" "PA_CONTAINER: \"$container\" is not a container name"
  if ! command -v docker >/dev/null 2>&1; then
    die "$E_UNAVAILABLE" "cannot run the operator CLI: no node with $cli on this host, and no docker to reach container $container"
  fi
  local args=(exec -i)
  [[ -t 0 && -t 1 ]] && args+=(-t)
  local name setting
  for setting in "${IN_CONTAINER[@]}"; do
    name=${setting%%=*}
    if [[ -n ${!name:-} ]]; then args+=(-e "$name"); else args+=(-e "$setting"); fi
  done
  for name in "${FORWARDED[@]}"; do
    [[ -n ${!name:-} ]] && args+=(-e "$name")
  done
  docker "${args[@]}" "$container" pa-operator "$@"
}

# The connector's container: PA_CONNECTOR_CONTAINER, else the one compose labels as the
# connector of the project (its name differs between docker-compose 1 and Compose 2).
connector_container() {
  local name=${PA_CONNECTOR_CONTAINER:-} project=${PA_COMPOSE_PROJECT:-$DEFAULT_PROJECT} ids
  if [[ -n $name ]]; then
    [[ $name =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || die "$E_CONFIG" "PA_CONNECTOR_CONTAINER: \"$name\" is not a container name"
    printf '%s\n' "$name"
    return
  fi
  [[ $project =~ ^[a-z0-9][a-z0-9_-]*$ ]] || die "$E_CONFIG" "PA_COMPOSE_PROJECT: \"$project\" is not a compose project name"
  command -v docker >/dev/null 2>&1 || die "$E_UNAVAILABLE" "no docker on this host to reach the connector container"
  ids=$(docker ps -aq --filter "label=com.docker.compose.project=$project" \
    --filter label=com.docker.compose.service=connector) ||
    die "$E_UNAVAILABLE" "docker could not list the containers of compose project $project"
  [[ -n $ids ]] || die "$E_UNAVAILABLE" "no connector container of compose project $project (set PA_COMPOSE_PROJECT or PA_CONNECTOR_CONTAINER)"
  [[ $ids != *$'\n'* ]] || die "$E_UNAVAILABLE" "several connector containers in compose project $project: name one with PA_CONNECTOR_CONTAINER"
  printf '%s\n' "$ids"
}

# `drain [--grace S] [--json]`: the CLI drains the connector and waits until nothing is left open
# (or the grace passed); then docker stops the container. A container stopped by hand stays
# stopped: the compose restart policy (unless-stopped) does not bring it back, a reboot neither.
drain_and_stop() {
  local grace='' arg prev='' container code=0
  for arg in "$@"; do
    [[ $prev == --grace ]] && grace=$arg
    [[ $arg == --grace=* ]] && grace=${arg#--grace=}
    prev=$arg
  done
  container=$(connector_container) || exit
  run_cli drain "$@" || code=$?
  if [[ $code -ne 0 ]]; then
    printf '%s: the connector is not stopped (the drain did not finish); it keeps running, draining\n' "$PROG" >&2
    return "$code"
  fi
  # The CLI checked --grace (whole seconds up to 3600).
  [[ $grace =~ ^[0-9]+$ ]] || grace=$MAX_DEFAULT_GRACE
  printf 'Stopping the connector container %s...\n' "$container" >&2
  docker stop --time "$((grace + STOP_MARGIN))" "$container" >/dev/null ||
    die "$E_UNAVAILABLE" "docker could not stop the connector container $container"
  printf 'The connector is stopped and stays stopped; bring it back with: %s start\n' "$PROG" >&2
}

# `start`: the connector container again, after drain.
start_connector() {
  [[ $# -eq 0 ]] || usage_error "start takes no options"
  local container
  container=$(connector_container) || exit
  docker start "$container" >/dev/null || die "$E_UNAVAILABLE" "docker could not start the connector container $container"
  printf 'The connector container %s is starting; pa_connector.sh status shows when it is ready.\n' "$container"
}

pause() {
  local _
  printf '\nPress Enter for the menu... '
  read -r _ || true
}

# One menu entry: runs the command, reports a failure, never leaves the menu.
menu_run() {
  local code=0
  printf '\n'
  # Piped choices are the menu's, not the command's: `docker exec -i` would read them all.
  if [[ -t 0 ]]; then
    run_cli "$@" || code=$?
  else
    run_cli "$@" </dev/null || code=$?
  fi
  if [[ $code -ne 0 ]]; then
    printf '\n(%s ended with exit code %s)\n' "$1" "$code"
  fi
}

menu() {
  local choice
  # Ctrl-C ends the command that runs (e.g. the log tail), not the menu.
  trap ':' INT
  while true; do
    cat <<EOF

PA Connector on ${HOSTNAME:-this host}
  1) Service status
  2) Version
  3) Tunnels
  4) Apps
  5) Logs (tail, Ctrl-C to stop)
  6) Diagnose connectivity
  q) Quit
EOF
    printf 'Choice: '
    if ! IFS= read -r choice; then
      printf '\n'
      return 0
    fi
    choice=${choice//[[:space:]]/}
    case $choice in
    1) menu_run status ;;
    2) menu_run version ;;
    3) menu_run tunnels ;;
    4) menu_run apps ;;
    5)
      # Following needs a Ctrl-C to end; without a terminal (input piped in) the recent lines.
      if [[ -t 0 ]]; then menu_run logs -f; else menu_run logs; fi
      ;;
    6) menu_run diagnose ;;
    q | Q) return 0 ;;
    *)
      printf 'Invalid choice "%s": enter a number from 1 to 6, or q to quit.\n' "${choice:0:20}"
      continue
      ;;
    esac
    [[ -t 0 ]] && pause
  done
}

main() {
  local command=${1:-}
  case $command in
  help | -h | --help)
    usage
    return 0
    ;;
  '')
    if [[ ! -t 0 || ! -t 1 ]]; then
      usage_error "no command given and no terminal for the menu (use a command, or menu)"
    fi
    ;;
  menu) ;;
  *)
    if [[ " $COMMANDS " != *" $command "* ]]; then
      usage_error "unknown command \"$command\""
    fi
    ;;
  esac
  load_env_file "${PA_CONNECTOR_ENV:-$DEFAULT_ENV_FILE}"
  OPERATOR_CLI=$(cli_path)
  if [[ -z $command || $command == menu ]]; then
    [[ $# -le 1 ]] || usage_error "menu takes no options"
    menu
    return 0
  fi
  case $command in
  drain)
    shift
    drain_and_stop "$@"
    ;;
  start)
    shift
    start_connector "$@"
    ;;
  *) run_cli "$@" ;;
  esac
}

main "$@"
