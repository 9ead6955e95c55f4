#!/bin/sh
# Healthy when an authenticated PING answers PONG. The password goes to redis-cli through
# REDISCLI_AUTH, not argv.
set -eu
pw_file=${PA_REDIS_PASSWORD_FILE:-/run/secrets/redis_password}
REDISCLI_AUTH=$(cat "$pw_file")
export REDISCLI_AUTH
[ "$(redis-cli -h 127.0.0.1 -p 6379 ping)" = PONG ]
