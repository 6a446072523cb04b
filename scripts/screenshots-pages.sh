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
source "$(dirname "${BASH_SOURCE[0]}")/screenshots-lib.sh"
SCREEN_BUILDS="build-pages build-ui build"
screens_under_xvfb "$@"
SHOT_COLORS=192
start_demo

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
