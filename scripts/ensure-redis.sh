#!/bin/sh
# The scale-out test runs app processes that share Socket.IO events through Redis on
# 127.0.0.1:6379: start Debian's redis-server there when nothing answers (installed
# when missing and we may). A throwaway instance: no snapshots, no append-only file.
set -eu
answers() {
    if command -v redis-cli >/dev/null 2>&1; then
        [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]
    else
        python3 -c 'import socket; socket.create_connection(("127.0.0.1", 6379), 1).close()' 2>/dev/null
    fi
}
if answers; then exit 0; fi
if ! command -v redis-server >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ]; then
        echo "installing Debian's redis-server for the scale-out test…"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
    else
        echo "Redis is missing: run 'sudo apt-get install redis-server' (needed by the scale-out test)." >&2
        exit 1
    fi
fi
echo "starting redis-server on 127.0.0.1:6379 for the tests…"
redis-server --port 6379 --bind 127.0.0.1 --daemonize yes --save '' --appendonly no
# It forks before it listens: give it a few seconds to answer.
tries=0
until answers; do
    tries=$((tries + 1))
    if [ "$tries" -ge 50 ]; then
        echo "redis-server did not answer on 127.0.0.1:6379" >&2
        exit 1
    fi
    sleep 0.1
done
