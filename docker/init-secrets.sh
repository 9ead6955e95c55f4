#!/usr/bin/env bash
# Prepares the secret files and the config directory compose.yaml mounts:
#   <secrets>/redis-password       random, made once
#   <secrets>/internal-api-token   random, made once
#   <secrets>/provisioning-key     from --provisioning-key-file or stdin (--provisioning-key-stdin);
#                                  left empty for the demo profile, whose provisioner fills it
#   <config>/                      for sse-ca.pem (the demo provisioner writes the emulator CA)
# Directories 0700 and files 0600, all owned by uid/gid 10001, the user of every image.
#
#   sudo docker/init-secrets.sh [--dir DIR] [--config-dir DIR]
#        [--provisioning-key-file FILE | --provisioning-key-stdin]
#
# DIR defaults to $PA_SECRETS_DIR or ./secrets, --config-dir to $PA_CONFIG_DIR or ./config
# (relative to the directory of compose.yaml). Existing secrets are kept; a run is idempotent.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
project=$(cd "$here/.." && pwd)
owner=10001:10001

die() {
  echo "init-secrets: $*" >&2
  exit 1
}

# A bad argument: exit 64 as in docs/exit-codes.md (every other failure is 1).
usage_error() {
  echo "init-secrets: $*" >&2
  exit 64
}

# An option's value; an empty one is a mistake (an unset variable), never the option left out.
value_of() {
  [ -n "$2" ] || usage_error "$1: the value is empty"
  printf '%s' "$2"
}

secrets_dir=${PA_SECRETS_DIR:-./secrets}
config_dir=${PA_CONFIG_DIR:-./config}
key_file=
key_stdin=0
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) [ $# -ge 2 ] || usage_error "--dir needs a value"; secrets_dir=$(value_of --dir "$2"); shift ;;
    --dir=*) secrets_dir=$(value_of --dir "${1#--dir=}") ;;
    --config-dir) [ $# -ge 2 ] || usage_error "--config-dir needs a value"; config_dir=$(value_of --config-dir "$2"); shift ;;
    --config-dir=*) config_dir=$(value_of --config-dir "${1#--config-dir=}") ;;
    --provisioning-key-file) [ $# -ge 2 ] || usage_error "--provisioning-key-file needs a value"; key_file=$(value_of --provisioning-key-file "$2"); shift ;;
    --provisioning-key-file=*) key_file=$(value_of --provisioning-key-file "${1#--provisioning-key-file=}") ;;
    --provisioning-key-stdin) key_stdin=1 ;;
    -h | --help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) usage_error "unknown argument: $1 (see --help)" ;;
  esac
  shift
done
[ -z "$key_file" ] || [ "$key_stdin" = 0 ] ||
  usage_error "give the provisioning key either with --provisioning-key-file or on stdin, not both"
[ "$(id -u)" = 0 ] || die "must run as root (the files are handed to uid 10001)"

# Relative paths are taken from the directory of compose.yaml, as compose does.
case $secrets_dir in /*) ;; *) secrets_dir=$project/$secrets_dir ;; esac
case $config_dir in /*) ;; *) config_dir=$project/$config_dir ;; esac

key=
if [ -n "$key_file" ]; then
  [ -r "$key_file" ] || die "cannot read the provisioning key file $key_file"
  key=$(tr -d ' \t\r\n' <"$key_file")
elif [ "$key_stdin" = 1 ]; then
  key=$(tr -d ' \t\r\n')
fi
# A key is base64url (no padding) of a JSON object; the connector checks its fields before it sends
# it. Here only its shape: the charset, the length bound, and that it decodes to an object.
if [ -n "$key_file" ] || [ "$key_stdin" = 1 ]; then
  opening=
  if [[ $key =~ ^[A-Za-z0-9_-]{1,1024}$ ]] && ((${#key} % 4 != 1)); then
    padding=$(printf '%*s' $(((4 - ${#key} % 4) % 4)) '' | tr ' ' '=')
    # Whatever base64 decoded before it failed does not count.
    opening=$(printf '%s%s' "$key" "$padding" | tr '_-' '/+' | base64 -d 2>/dev/null | head -c 1) || opening=
  fi
  [ "$opening" = '{' ] ||
    die "the provisioning key is not a key as the cloud issues it (base64url of a JSON object)"
fi

# The secrets directory belongs to uid 10001 and the demo's provisioner container writes into it:
# a link planted there must never lead root to chmod, chown or write what it points at.
refuse_link() {
  [ ! -L "$1" ] || die "refusing $1: it is a symbolic link (to $(readlink -- "$1")); nothing was done to what it points at. Remove it and re-run"
}

umask 077
refuse_link "$secrets_dir"
refuse_link "$config_dir"
install -d -m 0700 -o 10001 -g 10001 "$secrets_dir" "$config_dir"

random_secret() {
  head -c 32 /dev/urandom | base64 | tr -d '=+/\n'
}

# Writes a secret file 0600 owned by the service user (content from stdin): `install` creates a
# new file with that mode and owner (O_EXCL, so never through a link), the rename replaces FILE
# whatever it was without following it.
put() {
  local file=$1
  local tmp=$secrets_dir/.tmp.$$.$RANDOM$RANDOM
  install -m 0600 -o "${owner%:*}" -g "${owner#*:}" /dev/stdin "$tmp"
  mv -fT -- "$tmp" "$file"
}

for name in redis-password internal-api-token provisioning-key; do
  refuse_link "$secrets_dir/$name"
done

for name in redis-password internal-api-token; do
  if [ -s "$secrets_dir/$name" ]; then
    echo "init-secrets: $name kept"
  else
    random_secret | put "$secrets_dir/$name"
    echo "init-secrets: $name made"
  fi
done

if [ -n "$key" ]; then
  printf '%s' "$key" | put "$secrets_dir/provisioning-key"
  echo "init-secrets: provisioning-key written"
elif [ ! -e "$secrets_dir/provisioning-key" ]; then
  : | put "$secrets_dir/provisioning-key"
  echo "init-secrets: provisioning-key empty (the demo profile fills it)"
fi
# Tighten what an earlier run or a hand edit may have loosened (links were refused above; chown -h
# and find -P never follow one planted meanwhile).
for name in redis-password internal-api-token provisioning-key; do
  refuse_link "$secrets_dir/$name"
  chown -h "$owner" -- "$secrets_dir/$name"
  find -P "$secrets_dir/$name" -maxdepth 0 -type f ! -perm 0600 -exec chmod 0600 -- {} +
done
