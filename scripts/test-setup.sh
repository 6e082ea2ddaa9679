#!/usr/bin/env bash
# Run by `npm test` (pretest): installs the Debian packages the end-to-end tests drive
# (tmux for the console, an SSH server and client for the console over SSH) when they are
# missing, saying what it installs. Needs root and apt-get; otherwise names what is missing.
set -euo pipefail

need=()
command -v tmux >/dev/null || need+=(tmux)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh >/dev/null || need+=(openssh-client)
command -v ssh-keygen >/dev/null || need+=(openssh-client)
command -v ip >/dev/null || need+=(iproute2)
[ -x /usr/bin/chromium ] || need+=(chromium) # renders the paper report in a real browser
((${#need[@]})) || exit 0

mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "test set-up: the end-to-end tests need these Debian packages: ${need[*]}" >&2
  echo "test set-up: install them (as root: apt-get install ${need[*]}) and run npm test again" >&2
  exit 1
fi
echo "test set-up: installing Debian packages for the end-to-end tests: ${need[*]}" >&2
apt-get -o DPkg::Lock::Timeout=300 update -qq
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "test set-up: installed ${need[*]}" >&2
