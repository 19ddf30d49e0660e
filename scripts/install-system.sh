#!/usr/bin/env bash
# Installs the Debian packages Atende's dev stack and tests need (idempotent; a no-op when all are present).
set -euo pipefail

# Debian packages and the file that proves each is installed ("package:path").
SYSTEM_PACKAGES=(
  "dovecot-imapd:/usr/sbin/dovecot"
  # libmagic, which python-magic loads: the files service's content inspection.
  "libmagic1:/usr/lib/$(uname -m)-linux-gnu/libmagic.so.1"
  # clamd, for the tests of the files service's optional virus scan (a test signature, no download).
  "clamav-daemon:/usr/sbin/clamd"
  # Browser tests (Playwright drives it; its own browser downloads are blocked here).
  "chromium:/usr/bin/chromium"
)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

# apt must never auto-start daemons (dovecot would grab 143, postfix 25): policy-rc.d exiting 101 forbids it.
policy=/usr/sbin/policy-rc.d
policy_rc=0
[ -x "$policy" ] && { "$policy" >/dev/null 2>&1 || policy_rc=$?; }
if [ "$policy_rc" -ne 101 ]; then
  printf '#!/bin/sh\n# Installed by Atende scripts/install-system.sh: never auto-start daemons.\nexit 101\n' \
    | "${sudo_cmd[@]}" tee "$policy" >/dev/null
  "${sudo_cmd[@]}" chmod 755 "$policy"
fi

missing=()
for entry in "${SYSTEM_PACKAGES[@]}"; do
  [ -e "${entry#*:}" ] || missing+=("${entry%%:*}")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "atende: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

# Belt and braces: should the system dovecot have started anyway (its default config), stop it so 143 stays free.
if [ -x /usr/sbin/dovecot ] && [ -s /run/dovecot/master.pid ]; then
  "${sudo_cmd[@]}" /usr/sbin/dovecot -c /etc/dovecot/dovecot.conf stop >/dev/null 2>&1 || true
fi
echo "atende: system packages ready"
