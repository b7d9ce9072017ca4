#!/usr/bin/env bash
# Installs the Debian packages farmadvice needs, where they are missing: pango (weasyprint), fontconfig
# (fc-list: the reports check that a Chinese font is installed), the Noto CJK
# fonts (Chinese in PDFs), poppler-utils (tests read PDFs back), gettext (compilemessages for the
# English catalogue), and the venv module.
# With --browser, also Chromium and its driver, which only the browser tests (tests/browser, marked
# `browser`) need; they skip themselves where Chromium is missing. `.ci/run` installs them.
# Without root or sudo it fails, unless --warn-only (`make run`, `make demo`): then it names the missing
# packages, says how to install them, and goes on (exit 0) with what the machine has.
# Usage: scripts/system-deps.sh [--warn-only] [--browser] [extra-package ...]   (as root, or with sudo)
set -euo pipefail

browser=()
warn_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --browser) browser=(chromium chromium-driver) ;;
    --warn-only) warn_only=1 ;;
    *) break ;;
  esac
  shift
done
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-cjk poppler-utils gettext
  python3-venv "${browser[@]}" "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "Not a Debian system: please install ${missing[*]} (or their equivalents) yourself." >&2
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then sudo="sudo"; else
    if [ "$warn_only" = 1 ]; then
      echo "WARNING: missing Debian packages: ${missing[*]}" >&2
      echo "WARNING: cannot install them without root or sudo; going on without them (PDF reports need" >&2
      echo "WARNING: pango and the fonts, the English pages gettext). As root: apt-get install ${missing[*]}" >&2
      exit 0
    fi
    echo "Missing Debian packages ${missing[*]}; run as root or install sudo." >&2
    exit 1
  fi
fi
echo "Installing Debian packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
