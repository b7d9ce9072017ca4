#!/usr/bin/env bash
# Installs the Debian packages farmadvice needs, where they are missing: pango (weasyprint), the Noto CJK
# fonts (Chinese in PDFs), poppler-utils (tests read PDFs back), and the venv module.
# Usage: scripts/system-deps.sh [extra-package ...]   (as root, or with sudo available)
set -euo pipefail

packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk poppler-utils python3-venv "$@")
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
    echo "Missing Debian packages ${missing[*]}; run as root or install sudo." >&2
    exit 1
  fi
fi
echo "Installing Debian packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
