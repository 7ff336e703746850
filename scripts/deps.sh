#!/usr/bin/env bash
# Installs every Debian package Herald's build, run and tests need. Idempotent, non-interactive.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
PKGS=(
  build-essential cmake ninja-build pkg-config git ca-certificates curl openssl sqlite3
  qt6-base-dev qt6-websockets-dev qt6-declarative-dev qt6-httpserver-dev
  libqt6sql6-sqlite libqt6sql6-psql
  qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-window
  qml6-module-qtquick-layouts qml6-module-qt-labs-platform qml6-module-qttest
  qml6-module-qtqml-workerscript qml6-module-qtquick-templates
  qt6-declarative-dev-tools qt6-tools-dev qt6-l10n-tools libgl-dev
  qtkeychain-qt6-dev libhiredis-dev redis-server
  xvfb xauth trayer xdotool x11-utils x11-apps imagemagick dbus dbus-x11
  fonts-dejavu-core fonts-wqy-microhei fonts-noto-color-emoji
  libcanberra-dev sound-theme-freedesktop
  postgresql postgresql-common
  file dpkg-dev fakeroot desktop-file-utils appstream lintian systemd librsvg2-bin
  clang clang-format libclang-rt-dev
  libsodium-dev chromium chromium-driver python3-selenium liburing-dev
)
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
# Always refresh the package lists first, as a fresh machine needs; tolerate an offline
# machine when nothing is missing.
$SUDO apt-get update -qq || echo "deps: apt-get update failed; continuing with cached lists" >&2
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
