#!/usr/bin/env bash
# Screenshots of the Prompts, Providers, Usage and Settings pages with the
# demo running and some traffic: runs `tollgate --demo` under Xvfb on a
# 1280x800 screen with a fresh data dir, stores prompt templates, mints
# keys and sends calls (priced, unpriced, refused, through a template)
# over HTTP, then captures each page. Writes docs/screenshots/<page>.png.
# (scripts/screenshots.sh does the same for the other pages.)
#
#   scripts/screenshots-pages.sh [BUILD_DIR]        (default: build-pages, build-ui, build)
# Needs: xvfb xauth imagemagick xdotool curl.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [ "${1:-}" != "--inner" ]; then
  build="${1:-}"
  if [ -z "$build" ]; then
    for d in "$ROOT/build-pages" "$ROOT/build-ui" "$ROOT/build"; do [ -x "$d/app/tollgate" ] && build="$d" && break; done
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

"$BIN" --demo --listen 127.0.0.1:0 --data-dir "$WORK/data" >"$WORK/out.log" 2>"$WORK/err.log" &
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

shot() {   # shot NAME [DELAY]: the screen as it is now, small enough for a README
  sleep "${2:-1.2}"
  import -window root "$WORK/shot.png"
  convert "$WORK/shot.png" -colors 192 "PNG8:$OUT/$1.png"
  echo "==> $OUT/$1.png ($(du -k "$OUT/$1.png" | cut -f1) KB)"
}
page() { xdotool key --clearmodifiers "ctrl+$1"; }
admin() {   # admin METHOD PATH [BODY]
  curl -sf -X "$1" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
       ${3:+-d "$3"} "$URL/admin$2"
}
key_of() { sed -n 's/.*"key":"\(tg-[^"]*\)".*/\1/p'; }
call() {   # call KEY RUN MODEL TOKENS [EXTRA_JSON]
  local run=()
  [ -n "$2" ] && run=(-H "X-Tollgate-Run-Id: $2")
  curl -s -o /dev/null "$URL/v1/chat/completions" -H "Authorization: Bearer $1" "${run[@]}" \
       -H 'X-Tollgate-Cache: bypass' -H 'content-type: application/json' \
       -d "{\"model\":\"$3\",\"max_tokens\":$4,\"messages\":[{\"role\":\"user\",\"content\":\"Next step of $2.\"}]${5:-}}" || true
}

# Prompt templates: three versions of one (the third active), one of another.
admin POST /prompts/agent-system/versions \
  '{"template":"You are a research agent for {{team}}.\nCite every source.\nAnswer in {{language}}."}' >/dev/null
admin POST /prompts/agent-system/versions \
  '{"template":"You are a research agent for {{team}}.\nCite every source with a link.\nKeep answers under 200 words.\nAnswer in {{language}}."}' >/dev/null
admin POST /prompts/agent-system/versions \
  '{"template":"You are a careful research agent for {{team}}.\nCite every source with a link.\nKeep answers under 200 words.\nSay so when you are unsure.\nAnswer in {{language}}."}' >/dev/null
admin PUT /prompts/agent-system/active '{"version":3}' >/dev/null
admin POST /prompts/summarise/versions '{"template":"Summarise the text below for {{audience}} in {{bullets}} bullet points."}' >/dev/null

LAPTOP="$(admin POST /keys '{"name":"laptop","monthly_cap":20}' | key_of)"
AGENT="$(admin POST /keys '{"name":"research-agent","allowed_models":["sim-*"]}' | key_of)"
CI="$(admin POST /keys '{"name":"ci","allowed_models":["sim-small"]}' | key_of)"

traffic=()
for i in $(seq 4); do call "$CI" "ci-build-$((i % 2 + 1))" sim-small 60 & traffic+=("$!"); done
for i in $(seq 3); do call "$LAPTOP" "refactor-auth" sim-large 120 & traffic+=("$!"); done
wait "${traffic[@]}" || true
call "$AGENT" "crawl-docs" sim-large 80 ',"tollgate":{"prompt":"agent-system","variables":{"team":"docs","language":"English"}}'
call "$AGENT" "crawl-docs" sim-small 80 ',"tollgate":{"prompt":"agent-system","variables":{"team":"docs","language":"English"}}'
call "$AGENT" "local-llm" sim-mixtral-8x7b 90           # no price: highlighted on the Providers page
call "$AGENT" "local-llm" sim-mixtral-8x7b 90
call "$CI" "ci-build-3" sim-large 40                      # refused: model not allowed for the key
call "$LAPTOP" "" gpt-4o-mini 10 &                        # no OpenAI key here: the provider fails
pids+=("$!")
sleep 1

page 4
sleep 0.6
xdotool key --clearmodifiers alt+c    # the "Compare versions" tab
shot prompts
page 5
shot providers 2.5
page 6
shot usage
page 7
shot settings
kill "$app" 2>/dev/null || true
