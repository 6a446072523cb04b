#!/usr/bin/env bash
# Quick start: installs what is missing, builds, and starts Tollgate with the
# simulated provider (--demo) on its embedded SQLite store. With a display
# the window opens; without one the gateway runs headless.
# Extra arguments go to tollgate, e.g. scripts/demo.sh --listen 127.0.0.1:0
source "$(dirname "$0")/common.sh"
install_missing
build "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTOLLGATE_BUILD_TESTS=OFF
args=(--demo "$@")
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "==> no display: starting headless (the admin token is printed below)"
  args=(--headless "${args[@]}")
fi
exec "$ROOT/build/app/tollgate" "${args[@]}"
