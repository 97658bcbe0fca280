#!/bin/sh
# The IMAP intake tests run a private Dovecot from Debian (never a downloaded build).
set -eu
if [ -x /usr/sbin/dovecot ] && [ -x /usr/lib/dovecot/imap ]; then exit 0; fi
if [ "$(id -u)" = "0" ]; then
    echo "installing Debian's dovecot-imapd for the IMAP tests…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dovecot-imapd >/dev/null
else
    echo "Dovecot is missing: run 'sudo apt-get install dovecot-imapd' (needed by the IMAP tests)." >&2
    exit 1
fi
