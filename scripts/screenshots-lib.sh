# Shared by scripts/screenshots.sh and scripts/screenshots-pages.sh: the
# Xvfb screen, a throwaway home and data dir, `tollgate --demo` with its
# window at 1280x800, and the helpers that drive it. Sourced, not run.
#
#   source "$(dirname "$0")/screenshots-lib.sh"
#   SCREEN_BUILDS="build-ui build"             # where to look for the binary
#   screens_under_xvfb "$@"                    # re-runs the script under Xvfb
#   start_demo [tollgate options…]             # sets URL, TOKEN, WID; app in $app
#   admin POST /keys '{"name":"ci"}' | key_of; page 2; shot keys

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# screens_under_xvfb "$@": outside Xvfb, finds the binary (the script's
# first argument, or the first of SCREEN_BUILDS under the tree that has one) and runs
# the calling script again under xvfb-run with `--inner BINARY`; inside, sets
# BIN, OUT, WORK and a cleanup that stops every pid in pids.
screens_under_xvfb() {
  if [ "${1:-}" != "--inner" ]; then
    local build="${1:-}" d
    if [ -z "$build" ]; then
      for d in ${SCREEN_BUILDS:-build}; do [ -x "$ROOT/$d/app/tollgate" ] && build="$ROOT/$d" && break; done
    fi
    [ -x "$build/app/tollgate" ] || { echo "no tollgate binary under '${build}'; build first" >&2; exit 1; }
    exec xvfb-run -a -s "-screen 0 1280x800x24 -dpi 96" "$0" --inner "$build/app/tollgate"
  fi
  BIN="$2"
  OUT="$ROOT/docs/screenshots"
  mkdir -p "$OUT"
  WORK="$(mktemp -d)"
  export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_RUNTIME_DIR="$WORK/run"
  mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
  export QT_LOGGING_RULES="tollgate.*.info=false"
  pids=()
  trap screens_cleanup EXIT
}

screens_cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}

# start_demo [OPTIONS…]: tollgate --demo on a free port with a fresh data
# dir, its window moved to fill the screen.
start_demo() {
  "$BIN" --demo "$@" --listen 127.0.0.1:0 --data-dir "$WORK/data" >"$WORK/out.log" 2>"$WORK/err.log" &
  app=$!
  pids+=("$app")
  for _ in $(seq 100); do grep -q "listening on" "$WORK/out.log" 2>/dev/null && break; sleep 0.1; done
  URL="$(sed -n 's/^listening on //p' "$WORK/out.log")"
  [ -n "$URL" ] || { cat "$WORK/err.log" >&2; exit 1; }
  TOKEN="$(cat "$WORK/data/admin-token")"
  WID=""
  for _ in $(seq 50); do WID="$(xdotool search --name '^Tollgate$' 2>/dev/null | head -1)" && [ -n "$WID" ] && break; sleep 0.1; done
  [ -n "$WID" ] || { echo "the window did not appear" >&2; exit 1; }
  xdotool windowmove "$WID" 0 0 windowsize "$WID" 1280 800
  sleep 0.5
  xdotool windowfocus --sync "$WID" 2>/dev/null || true
}

# shot NAME [DELAY]: the screen as it is now, small enough for a README
# (SHOT_COLORS colours, 128 unless set).
shot() {
  sleep "${2:-1.2}"
  import -window root "$WORK/shot.png"
  convert "$WORK/shot.png" -dither None -colors "${SHOT_COLORS:-128}" "PNG8:$OUT/$1.png"
  echo "==> $OUT/$1.png ($(du -k "$OUT/$1.png" | cut -f1) KB)"
}
page() { xdotool key --clearmodifiers "ctrl+$1"; }   # page N: the window's Ctrl+N page
admin() {   # admin METHOD PATH [BODY]
  curl -sf -X "$1" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
       ${3:+-d "$3"} "$URL/admin$2"
}
key_of() { sed -n 's/.*"key":"\(tg-[^"]*\)".*/\1/p'; }
