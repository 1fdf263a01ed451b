#!/usr/bin/env bash
# Make sure the Debian packages a make target needs are installed.
# Usage: ensure-apt.sh PURPOSE "COMMAND..." PACKAGE...   (installs with apt-get when run as root)
set -euo pipefail
purpose=$1 commands=$2
shift 2
missing=0
for command in $commands; do command -v "$command" >/dev/null || missing=1; done
if [ "$purpose" = "PDF" ] && ! fc-list 2>/dev/null | grep -i freeserif >/dev/null; then missing=1; fi  # grep -q would SIGPIPE fc-list
[ "$missing" = 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing the Debian packages for the $purpose (once): $*" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "$@" >/dev/null
  exit 0
fi
echo "The $purpose needs these Debian packages: $*" >&2
echo "Install them: sudo apt-get install $*" >&2
exit 1
