#!/usr/bin/env bash
# Make sure xelatex, latexmk and pdftotext (Debian TeX packages in $TEX_PACKAGES) are available for the PDF.
set -euo pipefail
if command -v xelatex >/dev/null && command -v latexmk >/dev/null && command -v pdftotext >/dev/null && fc-list | grep -qi freeserif; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing TeX for the PDF (about 360 MB, once): $TEX_PACKAGES" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq $TEX_PACKAGES >/dev/null
  exit 0
fi
echo "The PDF needs these Debian packages: $TEX_PACKAGES" >&2
echo "Install them (sudo apt-get install $TEX_PACKAGES), or run 'make book-html' for HTML only." >&2
exit 1
