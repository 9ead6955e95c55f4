# The Docker engine for the docker tests: the running one, or `dockerd --storage-driver=vfs` started
# here (the driver that works on these machines) and stopped by its PID when the file's tests end.

# In setup_file. Sets DOCKERD_PID when it started the engine.
ensure_dockerd() {
  docker info >/dev/null 2>&1 && return 0
  command -v dockerd >/dev/null || { echo "needs dockerd (docker.io)" >&3; return 1; }
  local log=$BATS_FILE_TMPDIR/dockerd.log
  dockerd --storage-driver=vfs --pidfile "$BATS_FILE_TMPDIR/dockerd.pid" >"$log" 2>&1 3>&- &
  DOCKERD_PID=$!
  export DOCKERD_PID
  local _
  for _ in $(seq 1 120); do
    docker info >/dev/null 2>&1 && return 0
    kill -0 "$DOCKERD_PID" 2>/dev/null || break
    sleep 0.5
  done
  echo "dockerd did not come up: $(tail -n 20 "$log")" >&3
  stop_dockerd
  return 1
}

# In teardown_file: stops the engine only when ensure_dockerd started it.
stop_dockerd() {
  [[ -n ${DOCKERD_PID:-} ]] || return 0
  kill "$DOCKERD_PID" 2>/dev/null || return 0
  local _
  for _ in $(seq 1 60); do
    kill -0 "$DOCKERD_PID" 2>/dev/null || return 0
    sleep 0.5
  done
  kill -9 "$DOCKERD_PID" 2>/dev/null || true
}
