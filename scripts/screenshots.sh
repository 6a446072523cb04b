#!/usr/bin/env bash
# Takes the README's screenshots of the window: runs `tollgate --demo` under
# Xvfb on a 1280x800 screen with a fresh data dir, captures the first-run
# overview, then mints keys and drives streaming calls in runs through the
# simulated provider (over HTTP, as a user's tools would) and captures each
# page with the traffic live. Writes docs/screenshots/*.png.
#
#   scripts/screenshots.sh [BUILD_DIR]        (default: build-ui, then build)
# Needs: xvfb xauth imagemagick xdotool curl (apt-get install -y …).
[ -n "${TRACE:-}" ] && set -x
source "$(dirname "${BASH_SOURCE[0]}")/screenshots-lib.sh"
SCREEN_BUILDS="build-ui build"
screens_under_xvfb "$@"

# Streams long enough to be caught live: 25 tokens a second, up to 400.
echo '{"sim": {"tokens_per_second": 25, "first_token_ms": 200, "output_tokens": 400}}' >"$WORK/config.json"
start_demo --config "$WORK/config.json"

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
