#!/usr/bin/env bash
# Takes the README's screenshots of the window: runs `tollgate --demo` under
# Xvfb on a 1280x800 screen with a fresh data dir, captures the first-run
# overview, then mints keys and drives streaming calls in runs through the
# simulated provider (over HTTP, as a user's tools would) and captures each
# page with the traffic live. Writes docs/screenshots/*.png.
#
#   scripts/screenshots.sh [BUILD_DIR]        (default: build-ui, then build)
# Needs: xvfb xauth imagemagick xdotool curl (apt-get install -y …).
set -euo pipefail
[ -n "${TRACE:-}" ] && set -x
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [ "${1:-}" != "--inner" ]; then
  build="${1:-}"
  if [ -z "$build" ]; then
    for d in "$ROOT/build-ui" "$ROOT/build"; do [ -x "$d/app/tollgate" ] && build="$d" && break; done
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
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# Streams long enough to be caught live: 25 tokens a second, up to 400.
echo '{"sim": {"tokens_per_second": 25, "first_token_ms": 200, "output_tokens": 400}}' >"$WORK/config.json"
"$BIN" --demo --config "$WORK/config.json" --listen 127.0.0.1:0 --data-dir "$WORK/data" \
  >"$WORK/out.log" 2>"$WORK/err.log" &
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

shot() {   # shot NAME: the screen as it is now, small enough for a README
  sleep "${2:-1.2}"
  import -window root "$WORK/shot.png"
  convert "$WORK/shot.png" -dither None -colors 128 "PNG8:$OUT/$1.png"
  echo "==> $OUT/$1.png ($(du -k "$OUT/$1.png" | cut -f1) KB)"
}
page() { xdotool key --clearmodifiers "ctrl+$1"; }
admin() {   # admin METHOD PATH [BODY]
  curl -sf -X "$1" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
       ${3:+-d "$3"} "$URL/admin$2"
}
key_of() { sed -n 's/.*"key":"\(tg-[^"]*\)".*/\1/p'; }
stream() {   # stream KEY RUN TOKENS [MODEL]   (RUN may be empty: a call without a run)
  local run=()
  [ -n "$2" ] && run=(-H "X-Tollgate-Run-Id: $2")
  curl -sN -o /dev/null "$URL/v1/chat/completions" -H "Authorization: Bearer $1" "${run[@]}" \
       -H 'X-Tollgate-Cache: bypass' -H 'content-type: application/json' \
       -d "{\"model\":\"${4:-sim-small}\",\"stream\":true,\"max_tokens\":$3,\"messages\":[{\"role\":\"user\",\"content\":\"Write the next step of $2.\"}]}" || true
}

# 1. First run: no keys yet, the overview guides.
page 1
shot overview-first-run 1.5

# 2. Keys with limits, one revoked.
LAPTOP="$(admin POST /keys '{"name":"laptop","rate_per_min":600,"monthly_cap":20}' | key_of)"
AGENT="$(admin POST /keys '{"name":"research-agent","allowed_models":["sim-*"],"tokens_per_min":200000,"run_budget_usd":0.5}' | key_of)"
CI="$(admin POST /keys '{"name":"ci","allowed_models":["sim-small"],"hard_cap":50}' | key_of)"
OLD_ID="$(admin POST /keys '{"name":"old-script"}' | sed -n 's/.*"record":{[^}]*"id":\([0-9]*\).*/\1/p')"
[ -n "$OLD_ID" ] && admin POST "/keys/$OLD_ID/revoke" >/dev/null

# 3. Traffic: finished calls first (spend, runs), then long streams left live.
jobs_=()
for i in $(seq 6); do stream "$CI" "ci-build-$((i % 2 + 1))" 30 & jobs_+=("$!"); done
for i in $(seq 4); do stream "$LAPTOP" "refactor-auth" 60 sim-large & jobs_+=("$!"); done
wait "${jobs_[@]}"   # not the app, which runs in the background too
stream "$AGENT" "crawl-docs" 40 >/dev/null
admin POST /runs/crawl-docs/kill >/dev/null || true
admin PUT /runs/refactor-auth/budget '{"budget_usd":2,"time_budget_s":1800}' >/dev/null || true
forever() { while true; do stream "$@"; done; }   # a client that keeps calling
forever "$AGENT" summarise-issues 400 sim-large & pids+=("$!")
forever "$AGENT" write-tests 300 & pids+=("$!")
forever "$LAPTOP" refactor-auth 350 sim-large & pids+=("$!")
forever "$CI" ci-build-3 250 & pids+=("$!")
forever "$LAPTOP" "" 200 & pids+=("$!")

page 1
shot overview 4
page 2
shot keys
page 3
shot runs

# 4. Minting from the window: the raw key, shown once.
page 2
sleep 0.5
xdotool key --clearmodifiers ctrl+n
sleep 0.8
xdotool type --delay 20 "staging-agent"
xdotool key Return
shot new-key 1.5
xdotool key Escape
page 1
sleep 0.5
kill "$app" 2>/dev/null || true
