#!/usr/bin/env bats
# infra.sh giving dockerd the proxy: the update service pulls images through the Docker Engine API,
# so with --proxy and a systemd-run Docker, infra.sh writes a drop-in for docker.service and
# restarts docker only when the drop-in changed. Unit-style, with the stand-ins of stubs.bash: a
# running stand-in docker, and a systemctl that knows docker.service (each test may change that).

bats_require_minimum_version 1.5.0
load host
load stubs

readonly PROXY=http://alice:s3cr3t@proxy.corp:3128

setup_file() {
  link_host_tools
}

setup() {
  fake_host
  unset PA_INFRA_SKIP_DOCKER
  stub_dirs
  stub_package_managers
  stub systemctl "$SYSTEMD_RUNS_DOCKER"
  # Docker installed and running.
  install -m 0755 "$STUBS/.docker" "$STUBS/docker"
  touch "$STUBS/dockerd-running" "$STUBS/compose-v2"
  export PATH=$STUBS:$TOOLS
  DROPIN=$PA_INFRA_ROOT/etc/systemd/system/docker.service.d/pa-connector-proxy.conf
  ENVFILE=$PA_INFRA_ROOT/etc/systemd/system/docker.service.d/pa-connector-proxy.env
}

# systemctl of a host whose systemd runs Docker once it is installed (and starts it when asked).
SYSTEMD_RUNS_DOCKER='case "$*" in
"show -p LoadState --value docker.service") if [[ -e $STUBS/docker ]]; then echo loaded; else echo not-found; fi ;;
"enable --now docker") touch "$STUBS/dockerd-running" ;;
esac'

install_ok() {
  infra --provision_key="$KEY" --gateway=us-east "$@"
  [ "$status" -eq 0 ] || { echo "exit $status: $output"; return 1; }
}

# How often infra.sh ran `systemctl $1`.
systemctl_calls() {
  grep -cx "systemctl $1" "$CALLS" || true
}

# The drop-in's lines that are not comments.
dropin_lines() {
  grep -v '^#' "$DROPIN"
}

# The environment file's lines that are not comments.
env_lines() {
  grep -v '^#' "$ENVFILE"
}

@test "--proxy: a drop-in naming a root-only EnvironmentFile, then one daemon-reload and one restart, before the stack starts" {
  install_ok --proxy="$PROXY" --no_proxy=.corp,10.0.0.0/8
  echo "$output"
  # The drop-in is what `systemctl show docker` shows every user: a file name, no credentials.
  [ "$(dropin_lines)" = "[Service]
EnvironmentFile=$ENVFILE" ]
  [ "$(grep -c s3cr3t "$DROPIN")" -eq 0 ]
  [ "$(env_lines)" = 'HTTP_PROXY=http://alice:s3cr3t@proxy.corp:3128
HTTPS_PROXY=http://alice:s3cr3t@proxy.corp:3128
NO_PROXY=.corp,10.0.0.0/8,localhost,127.0.0.1' ]
  [ "$(mode_of "$ENVFILE")" = 600 ]
  [ "$(mode_of "$DROPIN")" = 644 ]
  [ "$EUID" -ne 0 ] || [ "$(stat -c %u:%g "$DROPIN" "$ENVFILE")" = $'0:0\n0:0' ]
  [ "$(systemctl_calls daemon-reload)" -eq 1 ]
  [ "$(systemctl_calls 'restart docker')" -eq 1 ]
  # reload, restart, then compose up: the stack starts on a dockerd that has the proxy.
  local reload restart up
  reload=$(grep -nx 'systemctl daemon-reload' "$CALLS" | cut -d: -f1)
  restart=$(grep -nx 'systemctl restart docker' "$CALLS" | cut -d: -f1)
  up=$(grep -n ' up -d --remove-orphans$' "$CALLS" | cut -d: -f1)
  ((reload < restart && restart < up))
  # A numbered step; the credentials are never printed.
  [[ $output == *"12. Docker's proxy"*"wrote $ENVFILE (mode 0600, root only): HTTP(S)_PROXY http://[redacted]@proxy.corp:3128, NO_PROXY .corp,10.0.0.0/8,localhost,127.0.0.1"*"wrote $DROPIN: EnvironmentFile=$ENVFILE"*'reloaded systemd and restarted docker'*'13. Images'* ]]
  [[ $output != *s3cr3t* ]]
  [[ ${lines[-1]} == 'infra.sh: done.'* ]]
}

@test "a re-run with the same proxy leaves the drop-in and does not restart docker; a changed one does" {
  install_ok --proxy="$PROXY" --no_proxy=.corp
  local inode
  inode=$(stat -c %i "$ENVFILE")
  : >"$CALLS"
  install_ok --proxy="$PROXY" --no_proxy=.corp
  [[ $output == *"unchanged ($DROPIN, $ENVFILE)"* ]]
  [ "$(stat -c %i "$ENVFILE")" = "$inode" ]
  [ "$(systemctl_calls daemon-reload)" -eq 0 ]
  [ "$(systemctl_calls 'restart docker')" -eq 0 ]
  # A loosened mode is put right.
  chmod 0644 "$ENVFILE"
  install_ok --proxy="$PROXY" --no_proxy=.corp
  [ "$(mode_of "$ENVFILE")" = 600 ]
  # Another no_proxy list is another environment file: one restart.
  : >"$CALLS"
  install_ok --proxy="$PROXY" --no_proxy=.corp,10.0.0.0/8
  grep -qx 'NO_PROXY=.corp,10.0.0.0/8,localhost,127.0.0.1' "$ENVFILE"
  [ "$(systemctl_calls daemon-reload)" -eq 1 ]
  [ "$(systemctl_calls 'restart docker')" -eq 1 ]
}

@test "a re-run without --proxy removes the drop-in and restarts docker, once" {
  install_ok --proxy="$PROXY"
  : >"$CALLS"
  install_ok
  [ ! -e "$DROPIN" ] && [ ! -e "$ENVFILE" ]
  [[ $output == *"removed $DROPIN and $ENVFILE"*'reloaded systemd and restarted docker'* ]]
  [ "$(systemctl_calls daemon-reload)" -eq 1 ]
  [ "$(systemctl_calls 'restart docker')" -eq 1 ]
  : >"$CALLS"
  install_ok
  [[ $output == *'none: dockerd has no proxy from this script'* && $output != *wrote* ]]
  ! grep -q '^systemctl' "$CALLS"
}

@test "--uninstall removes the drop-in and restarts docker" {
  install_ok --proxy="$PROXY"
  : >"$CALLS"
  infra --uninstall --yes
  [ "$status" -eq 0 ]
  [ ! -e "$DROPIN" ] && [ ! -e "$ENVFILE" ]
  [[ $output == *"removed $DROPIN and $ENVFILE"*'reloaded systemd and restarted docker'* ]]
  [ "$(systemctl_calls 'restart docker')" -eq 1 ]
  # The stack went down before dockerd was restarted.
  local down restart
  down=$(grep -n ' down --volumes --remove-orphans$' "$CALLS" | cut -d: -f1)
  restart=$(grep -nx 'systemctl restart docker' "$CALLS" | cut -d: -f1)
  ((down < restart))
  [[ ${lines[-1]} == 'infra.sh: uninstalled' ]]
}

@test "% in the proxy's credentials stays % (an EnvironmentFile has no specifiers); localhost is not listed twice" {
  install_ok --proxy=http://al%2Fice:p%40ss@proxy.corp:3128 --no_proxy=localhost,.corp
  [ "$(env_lines)" = 'HTTP_PROXY=http://al%2Fice:p%40ss@proxy.corp:3128
HTTPS_PROXY=http://al%2Fice:p%40ss@proxy.corp:3128
NO_PROXY=localhost,.corp,127.0.0.1' ]
  [[ $output != *p%40ss* && $output != *al%2Fice* ]]
  # The connector keeps the URL as given.
  [ "$(cat "$SECRETS/proxy-url")" = http://al%2Fice:p%40ss@proxy.corp:3128 ]
}

@test "a quote, backslash or newline in --proxy or --no_proxy never reaches the unit file" {
  local bad
  for bad in --proxy='http://al"ice:pw@proxy:3128' --proxy='http://alice:p\w@proxy:3128' \
    --proxy=$'http://alice:pw@proxy:3128\n[Service]' --no_proxy='.corp"' --no_proxy='.corp\x' \
    --no_proxy=$'.corp\nExecStartPre=/bin/true'; do
    infra --provision_key="$KEY" --gateway=us-east --proxy=http://proxy:3128 "$bad"
    [ "$status" -eq 64 ] || { echo "$bad: exit $status: $output"; return 1; }
    [ ! -e "$DROPIN" ] && [ ! -e "$ENVFILE" ]
    ! grep -q '^systemctl' "$CALLS"
  done
}

# An install with --proxy on a host whose Docker systemd does not run.
install_warns() {
  rm -rf "${PA_INFRA_ROOT:?}"/*
  install_ok --proxy="$PROXY"
  [ "$(grep -c warning <<<"$output")" -eq 1 ] || { echo "$output"; return 1; }
  [[ $output == *"infra.sh: warning: give dockerd HTTP_PROXY and HTTPS_PROXY (and NO_PROXY) by hand, or the POP's image updates will not go through the proxy"* ]]
  [[ $output == *'Docker is not run by systemd here: not configured'* ]]
  [[ $output != *s3cr3t* ]]
  [[ ${lines[-1]} == 'infra.sh: done.'* ]]
  [ ! -e "$DROPIN" ]
  ! grep -qE '^systemctl (daemon-reload|restart)' "$CALLS"
}

@test "Docker not run by systemd: one warning, no drop-in, and the install goes on" {
  # No systemctl at all.
  rm -f "$STUBS/systemctl"
  install_warns
  # systemctl without a running systemd (a container).
  stub systemctl "echo 'System has not been booted with systemd as init system (PID 1).' >&2; exit 1"
  install_warns
  # systemd, but Docker is not its docker.service (a snap, or started by hand).
  stub systemctl 'echo not-found'
  install_warns
}

@test "--dry-run writes no drop-in and restarts nothing, and says what it would do" {
  infra --provision_key="$KEY" --gateway=us-east --proxy="$PROXY" --dry-run
  [ "$status" -eq 0 ]
  [ -z "$(written)" ]
  [[ $output == *"would write $DROPIN and $ENVFILE (mode 0600) with HTTP(S)_PROXY http://[redacted]@proxy.corp:3128 and restart docker"* ]]
  [[ $output != *s3cr3t* ]]
  ! grep -qE '^systemctl (daemon-reload|restart)' "$CALLS"
  install_ok --proxy="$PROXY"
  local before
  before=$(cd "$PA_INFRA_ROOT" && find . -printf '%p %i %m %T@\n' | sort)
  : >"$CALLS"
  infra --provision_key="$KEY" --gateway=us-east --dry-run
  [ "$status" -eq 0 ]
  [[ $output == *"would remove $DROPIN and $ENVFILE and restart docker"* ]]
  infra --uninstall --dry-run
  [ "$status" -eq 0 ]
  [[ $output == *"would remove $DROPIN and $ENVFILE and restart docker"* ]]
  [ "$(cd "$PA_INFRA_ROOT" && find . -printf '%p %i %m %T@\n' | sort)" = "$before" ]
  ! grep -qE '^systemctl (daemon-reload|restart)' "$CALLS"
}

@test "a fresh host: Docker is installed and started, then given the proxy; --dry-run there does not warn" {
  rm -f "$STUBS/docker" "$STUBS/dockerd-running" "$STUBS/compose-v2"
  infra --provision_key="$KEY" --gateway=us-east --proxy="$PROXY" --dry-run
  [ "$status" -eq 0 ]
  [[ $output == *"would give dockerd the proxy in $DROPIN once Docker is installed (when systemd runs it)"* ]]
  [[ $output != *warning* ]]
  install_ok --proxy="$PROXY"
  # Through the proxy, read from a file (docker-install.bats checks it).
  grep -qE '^apt-get -c /[^ ]+ install -y docker.io$' "$CALLS"
  [ -e "$DROPIN" ]
  local enable restart
  enable=$(grep -nx 'systemctl enable --now docker' "$CALLS" | cut -d: -f1)
  restart=$(grep -nx 'systemctl restart docker' "$CALLS" | cut -d: -f1)
  ((enable < restart))
}

@test "a failing restart stops the install with the reason and where the drop-in is" {
  stub systemctl "$SYSTEMD_RUNS_DOCKER"'
[[ $* != "restart docker" ]] || { echo "Job for docker.service failed."; exit 1; }'
  infra --provision_key="$KEY" --gateway=us-east --proxy="$PROXY"
  [ "$status" -eq 1 ]
  [[ $output == *'Job for docker.service failed.'* ]]
  [[ ${lines[-1]} == "infra.sh: systemctl restart docker failed (see above); dockerd's proxy is in $DROPIN: restart docker by hand once it is fixed" ]]
  [[ $output != *s3cr3t* ]]
}
