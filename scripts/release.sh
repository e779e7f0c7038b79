#!/usr/bin/env bash
# Builds the release targets listed in fyne-cross.yml into dist/.
# With a running Docker engine and fyne-cross on PATH it uses fyne-cross;
# otherwise it cross-builds with go build: linux natively, windows with
# gcc-mingw-w64 (installed when missing); darwin needs fyne-cross (macOS SDK)
# and is reported as skipped.
set -euo pipefail
list=${1:-fyne-cross.yml}
app=$(awk '/^app:/ {print $2}' "$list")
mkdir -p dist
awk '/- os:/ {os=$3} /arch:/ {print os, $2}' "$list" | while read -r os arch; do
  if command -v fyne-cross >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    echo "release: fyne-cross $os/$arch"
    fyne-cross "$os" -arch "$arch" "$app"
    continue
  fi
  case "$os" in
    linux)
      echo "release: go build linux/$arch"
      GOOS=linux GOARCH="$arch" go build -o "dist/sportello-linux-$arch" "$app" ;;
    windows)
      if ! command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1; then
        echo "release: installing gcc-mingw-w64-x86-64"
        sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
        $sudo apt-get install -y -qq gcc-mingw-w64-x86-64 >/dev/null
      fi
      echo "release: go build windows/$arch (gcc-mingw-w64)"
      CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc GOOS=windows GOARCH="$arch" \
        go build -ldflags "-H=windowsgui" -o "dist/sportello-windows-$arch.exe" "$app" ;;
    *)
      echo "release: $os/$arch skipped: needs fyne-cross with Docker (not available here)" ;;
  esac
done
