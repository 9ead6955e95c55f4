#!/bin/sh
# Starts redis-server with the password from a secret file. The configuration goes to
# redis-server on stdin (`redis-server -`), so the password never sits in argv or on disk.
set -eu

pw_file=${PA_REDIS_PASSWORD_FILE:-/run/secrets/redis_password}
conf=${PA_REDIS_CONF:-/etc/pa-redis/redis.conf}

if [ ! -r "$pw_file" ]; then
  echo "redis: cannot read the password file $pw_file (PA_REDIS_PASSWORD_FILE)" >&2
  exit 78
fi
pw=$(cat "$pw_file")
case $pw in
  '')
    echo "redis: the password file $pw_file is empty" >&2
    exit 78
    ;;
  *[!A-Za-z0-9._~+/=-]*)
    echo "redis: the password in $pw_file may hold only letters, digits and ._~+/=-" >&2
    exit 78
    ;;
esac

exec redis-server - <<CONF
include $conf
requirepass "$pw"
CONF
