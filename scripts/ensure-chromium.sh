#!/bin/sh
# Browser tests drive Debian's Chromium (never a downloaded browser build).
set -eu
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ]; then
    echo "installing Debian's chromium for the browser tests…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core fonts-noto-core >/dev/null
else
    echo "Chromium is missing: run 'sudo apt-get install chromium' (needed by the browser tests)." >&2
    exit 1
fi
