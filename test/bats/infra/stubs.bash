# Stand-ins for the tools infra.sh runs to install and drive Docker: PATH holds this machine's tools
# except docker, apt-get, apt-cache, dnf and systemctl, which are small scripts that record how they were called
# (in $CALLS). apt-get can "install" a stand-in docker that answers what infra.sh asks of it
# afterwards (info, compose, image inspect, ps, inspect).
# shellcheck disable=SC2034 # the variables set here are used by the .bats files that load it

# In setup_file: this machine's tools, without the ones the stand-ins replace.
link_host_tools() {
  TOOLS=$BATS_FILE_TMPDIR/tools
  mkdir -p "$TOOLS"
  local dir f name
  for dir in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
    for f in "$dir"/*; do
      name=${f##*/}
      case $name in docker | docker-* | dockerd* | apt-get | apt-cache | dnf | yum | systemctl) continue ;; esac
      [[ -e $TOOLS/$name || ! -x $f ]] || ln -s "$f" "$TOOLS/$name"
    done
  done
  export TOOLS
}

# In setup, after fake_host: the stand-ins' directory and the call record; PATH is set by the caller
# once its stand-ins are there.
stub_dirs() {
  export CALLS=$BATS_TEST_TMPDIR/calls
  export STUBS=$BATS_TEST_TMPDIR/stubs
  mkdir -p "$STUBS"
  : >"$CALLS"
}

# A stand-in command that records its arguments, then runs $2.
stub() {
  cat >"$STUBS/$1" <<EOF
#!/bin/bash
echo "$1 \$*" >>"\$CALLS"
install_docker() { cp "\$STUBS/.docker" "\$STUBS/docker"; chmod +x "\$STUBS/docker"; }
$2
EOF
  chmod +x "$STUBS/$1"
  # What apt-get installs: a docker whose daemon runs once systemctl started it.
  cat >"$STUBS/.docker" <<'EOF'
#!/bin/bash
echo "docker $*" >>"$CALLS"
case "$1 $2" in
"--version "*) echo 'Docker version 99.0 (stand-in)' ;;
"info "*) [[ -e $STUBS/dockerd-running ]] ;;
"compose version") [[ -e $STUBS/compose-v2 ]] ;;
"compose "*) [[ " $* " != *" ps "* ]] || echo 0123abcd ;;
"image inspect") exit 0 ;;
"inspect -f")
  case "$3" in *Health*) echo healthy ;; *) echo /pa-connector-pop-manager-1 ;; esac ;;
*) exit 1 ;;
esac
EOF
}

# The package managers of a Debian/Ubuntu host: apt-get installs the stand-in docker (and marks
# Compose v2 installed); dnf fails. apt-cache policy answers the candidate versions listed in
# $STUBS/candidates ("package version" lines; docker-compose-v2 2.20.2 unless a test changes it).
stub_package_managers() {
  # shellcheck disable=SC2016 # expanded by the stand-in, not here
  stub apt-get 'case "$*" in *"install -y docker.io"*) install_docker ;; *"install -y docker-compose-v2"*) touch "$STUBS/compose-v2" ;; esac'
  stub dnf 'exit 1'
  echo 'docker-compose-v2 2.20.2+ds1-0ubuntu1~22.04.1' >"$STUBS/candidates"
  cat >"$STUBS/apt-cache" <<'EOF'
#!/bin/bash
echo "apt-cache $*" >>"$CALLS"
v=$(awk -v p="$2" '$1 == p { print $2 }' "$STUBS/candidates")
printf '%s:\n  Installed: (none)\n  Candidate: %s\n' "$2" "${v:-(none)}"
EOF
  chmod +x "$STUBS/apt-cache"
}
