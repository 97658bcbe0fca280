#!/bin/sh
# The benchmarks' load generator: wrk, from Debian's packages.
set -eu
if command -v wrk >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
else
    echo "wrk is missing: run 'sudo apt-get install wrk'." >&2
    exit 1
fi
