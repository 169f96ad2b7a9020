#!/usr/bin/env bash
# Installs the Debian/Ubuntu libraries Qt needs (offscreen, Xvfb, sound) plus the test tools, when
# run as root and any is missing; otherwise names the one command to run. Never fails the build itself.
set -u
PKGS="python3-venv libglib2.0-0 libgl1 libegl1 libxkbcommon0 libfontconfig1 libfreetype6 libdbus-1-3
fonts-dejavu-core xvfb xauth libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
libxcb-randr0 libxcb-render-util0 libxcb-image0 libpulse0 binutils socat netcat-openbsd poppler-utils
imagemagick xdotool postgresql"
command -v dpkg-query >/dev/null 2>&1 || exit 0
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system libraries:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  echo "Some system libraries are missing. Install them once with:"
  echo "  sudo apt-get install -y$missing"
fi
