#!/usr/bin/env bash
# The benchmark run: installs what is missing (Node for Portkey, Portkey's
# gateway into bench/.portkey), builds Release into build-bench, starts the
# fake provider (bench/fakeprovider), Tollgate and the Portkey gateway on
# 127.0.0.1, measures with bench/loadgen, and writes bench/RESULTS.md.
# Everything it starts is stopped on exit. About five minutes after the build.
#
#   scripts/bench.sh                       # everything
#   BENCH_SECONDS=3 scripts/bench.sh       # shorter runs (default 5 s each, plus 1 s warm-up)
#   BENCH_SKIP_PORTKEY=1 scripts/bench.sh  # Tollgate against direct only
#   BENCH_OUT=/tmp/r.md scripts/bench.sh   # write the table elsewhere
source "$(dirname "$0")/common.sh"

SECONDS_PER_RUN="${BENCH_SECONDS:-5}"
WARMUP="${BENCH_WARMUP:-1}"
OUT="${BENCH_OUT:-$ROOT/bench/RESULTS.md}"
PORTKEY_VERSION="${PORTKEY_VERSION:-1.15.2}"
SKIP_PORTKEY="${BENCH_SKIP_PORTKEY:-0}"
# BENCH_BUILD_DIR=build reuses an existing optimized tree instead of building build-bench.
BUILD_DIR="${BENCH_BUILD_DIR:-$ROOT/build-bench}"
PORTKEY_DIR="$ROOT/bench/.portkey"

# ---- install and build ------------------------------------------------------
extra=()
if [ "$SKIP_PORTKEY" != 1 ] && ! command -v node >/dev/null; then extra+=(nodejs npm); fi
install_missing "${extra[@]}"
if [ -n "${BENCH_BUILD_DIR:-}" ]; then
  echo "==> build tollgate and the bench programs in $BUILD_DIR"
  cmake --build "$BUILD_DIR" -j "$JOBS" --target tollgate loadgen fakeprovider
else
  echo "==> build (Release) into $BUILD_DIR"
  build "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DTOLLGATE_BUILD_TESTS=OFF -DTOLLGATE_BUILD_BENCH=ON
fi
TOLLGATE="$BUILD_DIR/app/tollgate"
LOADGEN="$BUILD_DIR/bench/loadgen/loadgen"
FAKE="$BUILD_DIR/bench/fakeprovider/fakeprovider"

if [ "$SKIP_PORTKEY" != 1 ]; then
  if [ ! -f "$PORTKEY_DIR/node_modules/@portkey-ai/gateway/build/start-server.js" ]; then
    echo "==> npm install @portkey-ai/gateway@$PORTKEY_VERSION into bench/.portkey"
    mkdir -p "$PORTKEY_DIR"
    [ -f "$PORTKEY_DIR/package.json" ] || echo '{"private": true}' > "$PORTKEY_DIR/package.json"
    (cd "$PORTKEY_DIR" && npm install --no-audit --no-fund --loglevel=error "@portkey-ai/gateway@$PORTKEY_VERSION")
  fi
  cp "$ROOT"/bench/portkey/*.mjs "$PORTKEY_DIR/"
fi

# A busy machine makes every figure worse: wait (up to BENCH_WAIT_QUIET
# seconds, default 0) for the 1-minute load average to fall below 1.
for _ in $(seq "${BENCH_WAIT_QUIET:-0}"); do
  awk '{ exit !($1 < 1.0) }' /proc/loadavg && break
  sleep 1
done
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
# Every process of the benchmark runs at a higher priority when allowed
# (root), so other work on the machine disturbs the figures less; the same
# for direct, Tollgate and Portkey. BENCH_NICE=0 turns it off.
NICE=()
if [ "${BENCH_NICE:--10}" != 0 ] && [ "$(nice -n "${BENCH_NICE:--10}" nice 2>/dev/null || echo 99)" -lt "$(nice)" ]; then
  NICE=(nice -n "${BENCH_NICE:--10}")
fi

# ---- processes ----------------------------------------------------------------
WORK="$(mktemp -d /tmp/tollgate-bench.XXXXXX)"
FAKE_PID=""
TG_PID=""
MAIN_TG_PID=""
PK_PID=""
cleanup() {
  local pid
  # Only the processes this script started and that are still its children.
  for pid in $FAKE_PID $TG_PID $MAIN_TG_PID $PK_PID; do kill "$pid" 2>/dev/null || true; done
  for pid in $FAKE_PID $TG_PID $MAIN_TG_PID $PK_PID; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" -ge 4200 ] || echo "warning: only $(ulimit -n) file descriptors; the 1,000-stream run needs ~4,100" >&2

# wait_line FILE TEXT: until FILE holds TEXT (10 s at most)
wait_line() {
  for _ in $(seq 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "error: '$2' did not appear in $1" >&2; cat "$1" >&2; return 1
}
port_of() { sed -n 's/.*listening on http:\/\/[0-9.]*:\([0-9]*\).*/\1/p' "$1" | head -1; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
# Resets VmHWM to the current RSS (Linux clear_refs 5), so a peak belongs to one test.
reset_hwm() { echo 5 > "/proc/$1/clear_refs" 2>/dev/null || true; }

"${NICE[@]}" "$FAKE" > "$WORK/fake.out" 2> "$WORK/fake.err" &
FAKE_PID=$!
wait_line "$WORK/fake.out" "listening on"
FP="$(port_of "$WORK/fake.out")"
echo "==> fake provider on 127.0.0.1:$FP"

cat > "$WORK/config.json" <<EOF
{
  "listen": "127.0.0.1:0",
  "providers": [
    {"name": "fake-openai", "kind": "openai", "base_url": "http://127.0.0.1:$FP/v1",
     "api_key": "sk-fake", "models": ["gpt-*"]},
    {"name": "fake-anthropic", "kind": "anthropic", "base_url": "http://127.0.0.1:$FP",
     "api_key": "sk-fake", "models": ["claude-*"]}
  ],
  "aliases": {"gpt-via-claude": [{"provider": "fake-anthropic", "model": "claude-bench"}]}
}
EOF

TG=""
ADMIN=""
# start_tollgate NAME: a fresh instance with its own data dir
start_tollgate() {
  if [ -n "$TG_PID" ]; then
    kill "$TG_PID" 2>/dev/null || true
    wait "$TG_PID" 2>/dev/null || true
    TG_PID=""
  fi
  local dir="$WORK/tollgate-$1"
  mkdir -p "$dir/data"
  "${NICE[@]}" "$TOLLGATE" --headless --listen 127.0.0.1:0 --data-dir "$dir/data" --config "$WORK/config.json" \
    > "$dir/out" 2> "$dir/err" &
  TG_PID=$!
  wait_line "$dir/out" "listening on"
  TG="$(port_of "$dir/out")"
  ADMIN="$(cat "$dir/data/admin-token")"
}
# mint_key NAME JSON-LIMITS: prints "ID KEY"
mint_key() {
  local answer
  answer="$(curl -sf -X POST "http://127.0.0.1:$TG/admin/keys" -H "authorization: Bearer $ADMIN" \
    -H 'content-type: application/json' -d "{\"name\": \"$1\"$2}")"
  echo "$(echo "$answer" | sed -n 's/.*"record":{.*"id":\([0-9]*\).*/\1/p') $(echo "$answer" | sed -n 's/.*"key":"\([^"]*\)".*/\1/p')"
}

PK=""
if [ "$SKIP_PORTKEY" != 1 ]; then
  PK="$("$LOADGEN" freeport)"
  (cd "$PORTKEY_DIR" && exec "${NICE[@]}" node --import ./register.mjs node_modules/@portkey-ai/gateway/build/start-server.js \
      --port="$PK" --headless) > "$WORK/portkey.log" 2>&1 &
  PK_PID=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PK/" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -sf "http://127.0.0.1:$PK/" >/dev/null || { echo "error: Portkey did not start" >&2; cat "$WORK/portkey.log" >&2; exit 1; }
  if ss -ltn 2>/dev/null | grep -q ":$PK " && ! ss -ltn | grep ":$PK " | grep -q "127.0.0.1:$PK"; then
    echo "error: Portkey is not bound to 127.0.0.1 only" >&2; exit 1
  fi
  echo "==> Portkey gateway $PORTKEY_VERSION on 127.0.0.1:$PK (pid $PK_PID)"
fi

# ---- measuring --------------------------------------------------------------------
declare -A R
RAW="$WORK/raw.txt"
# run NAME URL [loadgen options…]: one loadgen run, its figures kept as R[NAME]
run() {
  local name="$1" url="$2"; shift 2
  local line
  line="$("${NICE[@]}" "$LOADGEN" run --label "$name" --url "$url" -d "$SECONDS_PER_RUN" --warmup "$WARMUP" "$@")"
  R[$name]="$line"
  echo "$line" >> "$RAW"
  printf '    %-28s %s\n' "$name" "$(echo "$line" | tr ' ' '\n' | grep -E '^(rps|lat_p50_us|lat_p99_us|ttfb_p50_us|ev_p50_us|errors)=' | tr '\n' ' ')"
}
# get NAME KEY: one figure of a run
get() { echo "${R[$1]:-}" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1; }

OPENAI_BODY='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello. {{N}}"}],"max_tokens":16}'
ANTHROPIC_BODY='{"model":"claude-bench","max_tokens":16,"messages":[{"role":"user","content":"Say hello. {{N}}"}]}'
XLATE_BODY='{"model":"gpt-via-claude","messages":[{"role":"user","content":"Say hello. {{N}}"}],"max_tokens":16}'
stream_body() { # stream_body MODEL EVENTS DELAY_US
  echo "{\"model\":\"$1\",\"stream\":true,\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"fake_events=$2 fake_delay_us=$3 {{N}}\"}]}"
}
DIRECT="http://127.0.0.1:$FP"
PK_HEADERS=(-H "x-portkey-provider: openai" -H "x-portkey-custom-host: http://127.0.0.1:$FP/v1" -H "authorization: Bearer sk-fake")

echo "==> start-up and idle memory"
STARTUP_LINE="$("${NICE[@]}" "$LOADGEN" startup --runs 6 --match "listening on" -- "$TOLLGATE" --headless --listen 127.0.0.1:0 \
  --data-dir "$WORK/startup-data" --config "$WORK/config.json")"
echo "$STARTUP_LINE" >> "$RAW"
echo "    $STARTUP_LINE"
start_tollgate memory
sleep 2
TG_IDLE_KB="$(rss_kb "$TG_PID")"
PK_IDLE_KB=""
[ -n "$PK" ] && PK_IDLE_KB="$(rss_kb "$PK_PID")"

echo "==> 200 MB request bodies"
reset_hwm "$TG_PID"
BIG_BEFORE_KB="$(rss_kb "$TG_PID")"
read -r FREE_ID FREE_KEY <<<"$(mint_key bench-free '')"
BIG_LINE="$("$LOADGEN" bigbody --url "http://127.0.0.1:$TG/v1/chat/completions" --size 209715200 \
  -H "authorization: Bearer $FREE_KEY" --timeout 20)" || true
echo "$BIG_LINE" >> "$RAW"
BIG_HWM_KB="$(hwm_kb "$TG_PID")"
reset_hwm "$TG_PID"
BIGC_BEFORE_KB="$(rss_kb "$TG_PID")"
BIGC_LINE="$("$LOADGEN" bigbody --url "http://127.0.0.1:$TG/v1/chat/completions" --size 209715200 --chunked \
  -H "authorization: Bearer $FREE_KEY" --timeout 20)" || true
echo "$BIGC_LINE" >> "$RAW"
BIGC_HWM_KB="$(hwm_kb "$TG_PID")"
echo "    content-length: $BIG_LINE; growth $(( (BIG_HWM_KB - BIG_BEFORE_KB) / 1024 )) MB"
echo "    chunked:        $BIGC_LINE; growth $(( (BIGC_HWM_KB - BIGC_BEFORE_KB) / 1024 )) MB"

echo "==> 1,000 concurrent long streams (50 events 100 ms apart; started over 2 s, then all at once)"
start_tollgate streams
read -r FREE_ID FREE_KEY <<<"$(mint_key bench-free '')"
LONG_BODY="$(stream_body gpt-4o-mini 50 100000)"
LONG=(-c 1000 --once --connect-first -d 20 --grace 10 --body "$LONG_BODY" --unique)
run long_direct "$DIRECT/v1/chat/completions" "${LONG[@]}" --ramp 2
reset_hwm "$TG_PID"
LONG_BEFORE_KB="$(rss_kb "$TG_PID")"
run long_tollgate "http://127.0.0.1:$TG/v1/chat/completions" "${LONG[@]}" --ramp 2 -H "authorization: Bearer $FREE_KEY"
LONG_HWM_KB="$(hwm_kb "$TG_PID")"
run burst_direct "$DIRECT/v1/chat/completions" "${LONG[@]}"
reset_hwm "$TG_PID"
run burst_tollgate "http://127.0.0.1:$TG/v1/chat/completions" "${LONG[@]}" -H "authorization: Bearer $FREE_KEY"
BURST_HWM_KB="$(hwm_kb "$TG_PID")"

echo "==> non-streaming, direct vs Tollgate vs Portkey"
start_tollgate main
read -r FREE_ID FREE_KEY <<<"$(mint_key bench-free '')"
TGA=(-H "authorization: Bearer $FREE_KEY")
for c in 1 32 128; do
  run "ns_direct_c$c" "$DIRECT/v1/chat/completions" -c "$c" --body "$OPENAI_BODY" --unique
  run "ns_tollgate_c$c" "http://127.0.0.1:$TG/v1/chat/completions" -c "$c" --body "$OPENAI_BODY" --unique "${TGA[@]}"
  [ -n "$PK" ] && run "ns_portkey_c$c" "http://127.0.0.1:$PK/v1/chat/completions" -c "$c" --body "$OPENAI_BODY" --unique "${PK_HEADERS[@]}"
done

echo "==> streaming"
S1="$(stream_body gpt-4o-mini 20 1000)"
S32="$(stream_body gpt-4o-mini 20 0)"
run st_direct_c1 "$DIRECT/v1/chat/completions" -c 1 --body "$S1" --unique
run st_tollgate_c1 "http://127.0.0.1:$TG/v1/chat/completions" -c 1 --body "$S1" --unique "${TGA[@]}"
[ -n "$PK" ] && run st_portkey_c1 "http://127.0.0.1:$PK/v1/chat/completions" -c 1 --body "$S1" --unique "${PK_HEADERS[@]}"
run st_direct_c32 "$DIRECT/v1/chat/completions" -c 32 --body "$S32" --unique
run st_tollgate_c32 "http://127.0.0.1:$TG/v1/chat/completions" -c 32 --body "$S32" --unique "${TGA[@]}"
[ -n "$PK" ] && run st_portkey_c32 "http://127.0.0.1:$PK/v1/chat/completions" -c 32 --body "$S32" --unique "${PK_HEADERS[@]}"

echo "==> governance: a key with no limits vs a key with every limit and a run budget (runs in A B B A order)"
usage_count() { # usage_count KEY_ID SINCE: ledger records of that key since then (the API returns 100,000 at most)
  curl -sf "http://127.0.0.1:$TG/admin/usage?key_id=$1&since=$2&format=csv&limit=100000" \
    -H "authorization: Bearer $ADMIN" | tail -n +2 | wc -l
}
# A fresh instance, so the two keys see the same cache and ledger sizes on average.
MAIN_TG="$TG"; MAIN_TG_PID="$TG_PID"; MAIN_ADMIN="$ADMIN"; TG_PID=""
start_tollgate gov
read -r FREE_ID FREE_KEY <<<"$(mint_key bench-free '')"
read -r GOV_ID GOV_KEY <<<"$(mint_key bench-governed ', "rate_per_min": 100000000, "tokens_per_min": 100000000000, "monthly_cap": 1000000, "hard_cap": 1000000, "run_budget_usd": 1000000')"
GA=(-H "authorization: Bearer $GOV_KEY" -H "x-tollgate-run-id: bench-run-$$")
GF=(-H "authorization: Bearer $FREE_KEY")
GU="http://127.0.0.1:$TG/v1/chat/completions"
run gov_free_c1 "$GU" -c 1 --body "$OPENAI_BODY" --unique "${GF[@]}"
run gov_limits_c1 "$GU" -c 1 --body "$OPENAI_BODY" --unique "${GA[@]}"
run gov_limits_c1b "$GU" -c 1 --body "$OPENAI_BODY" --unique "${GA[@]}"
run gov_free_c1b "$GU" -c 1 --body "$OPENAI_BODY" --unique "${GF[@]}"
run gov_free_c32 "$GU" -c 32 --body "$OPENAI_BODY" --unique "${GF[@]}"
run gov_limits_c32 "$GU" -c 32 --body "$OPENAI_BODY" --unique "${GA[@]}"
run gov_limits_c32b "$GU" -c 32 --body "$OPENAI_BODY" --unique "${GA[@]}"
run gov_free_c32b "$GU" -c 32 --body "$OPENAI_BODY" --unique "${GF[@]}"
# The ledger, on a run of its own: reading tens of thousands of records back
# through the admin API is heavy enough to slow the run after it, so no
# compared run follows a count.
LEDGER_SINCE="$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)"
sleep 0.01
run ledger_c32 "$GU" -c 32 --body "$OPENAI_BODY" --unique "${GA[@]}"
# The ledger's lag: one more call right after the run, then how long until
# its record can be read back (the store writes in order).
MARKER="ledger-marker-$$"
curl -sf -o /dev/null "$GU" -H "authorization: Bearer $FREE_KEY" -H "x-tollgate-run-id: $MARKER" \
  -H 'content-type: application/json' -d "${OPENAI_BODY/\{\{N\}\}/marker}"
LEDGER_T0="$(date +%s%N)"
for _ in $(seq 400); do
  curl -sf "http://127.0.0.1:$TG/admin/usage?run_id=$MARKER&limit=1" -H "authorization: Bearer $ADMIN" \
    | grep -q '"request_id"' && break
  sleep 0.01
done
LEDGER_LAG_MS="$(( ($(date +%s%N) - LEDGER_T0) / 1000000 ))"
LEDGER_SENT="$(get ledger_c32 total)"
LEDGER_RECORDS="$(usage_count "$GOV_ID" "$LEDGER_SINCE")"
kill "$TG_PID"; wait "$TG_PID" 2>/dev/null || true
TG="$MAIN_TG"; TG_PID="$MAIN_TG_PID"; ADMIN="$MAIN_ADMIN"; MAIN_TG_PID=""

echo "==> response cache hits"
HIT_BODY='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"The same question every time."}],"max_tokens":16}'
run hit_tollgate_c1 "http://127.0.0.1:$TG/v1/chat/completions" -c 1 --body "$HIT_BODY" --capture x-tollgate-cache "${TGA[@]}"
run hit_tollgate_c32 "http://127.0.0.1:$TG/v1/chat/completions" -c 32 --body "$HIT_BODY" --capture x-tollgate-cache "${TGA[@]}"

echo "==> translated calls (OpenAI client, Anthropic-kind provider)"
run xl_direct_c1 "$DIRECT/v1/messages" -c 1 --body "$ANTHROPIC_BODY" --unique
run xl_tollgate_c1 "http://127.0.0.1:$TG/v1/chat/completions" -c 1 --body "$XLATE_BODY" --unique "${TGA[@]}"
run xl_direct_c32 "$DIRECT/v1/messages" -c 32 --body "$ANTHROPIC_BODY" --unique
run xl_tollgate_c32 "http://127.0.0.1:$TG/v1/chat/completions" -c 32 --body "$XLATE_BODY" --unique "${TGA[@]}"
run xls_direct_c1 "$DIRECT/v1/messages" -c 1 --body "$(stream_body claude-bench 20 1000)" --unique
run xls_tollgate_c1 "http://127.0.0.1:$TG/v1/chat/completions" -c 1 --body "$(stream_body gpt-via-claude 20 1000)" --unique "${TGA[@]}"
TG_AFTER_KB="$(rss_kb "$TG_PID")"
TG_PEAK_KB="$(hwm_kb "$TG_PID")"
PK_PEAK_KB=""
[ -n "$PK" ] && PK_PEAK_KB="$(hwm_kb "$PK_PID")"
LEDGER_ROWS="$(curl -sf "http://127.0.0.1:$TG/metrics" | sed -n 's/^tollgate_requests_total{[^}]*} \([0-9]*\).*/\1/p' | awk '{ n += $1 } END { print n + 0 }')"

echo "==> start-up with the data dir of the run (its ledger and cache)"
kill "$TG_PID"; wait "$TG_PID" 2>/dev/null || true; TG_PID=""
FULL_LINE="$("${NICE[@]}" "$LOADGEN" startup --runs 2 --match "listening on" -- "$TOLLGATE" --headless --listen 127.0.0.1:0 \
  --data-dir "$WORK/tollgate-main/data" --config "$WORK/config.json")" || FULL_LINE=""
echo "$FULL_LINE" >> "$RAW"
echo "    $FULL_LINE"

# ---- the table -------------------------------------------------------------------
ms() { awk -v v="$1" 'BEGIN { if (v == "") print "—"; else printf "%.3f", v / 1000 }'; }
num() { awk -v v="$1" 'BEGIN { if (v == "") print "—"; else printf "%.0f", v }'; }
diffms() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") print ""; else printf "%.1f", a - b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "—"; else printf "%.1f×", a / b }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "") print "—"; else print (a + 0 <= b + 0) ? "yes" : "**no**" }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "") print "—"; else print (a + 0 >= b + 0) ? "yes" : "**no**" }'; }
ROWS=()
row() { ROWS+=("| $1 | $2 | $3 | $4 | $5 | $6 | $7 |"); }

for c in 1 32 128; do
  d50="$(get "ns_direct_c$c" lat_p50_us)"; t50="$(get "ns_tollgate_c$c" lat_p50_us)"; p50="$(get "ns_portkey_c$c" lat_p50_us)"
  d99="$(get "ns_direct_c$c" lat_p99_us)"; t99="$(get "ns_tollgate_c$c" lat_p99_us)"; p99="$(get "ns_portkey_c$c" lat_p99_us)"
  ta50="$(diffms "$t50" "$d50")"; pa50="$(diffms "$p50" "$d50")"; ta99="$(diffms "$t99" "$d99")"; pa99="$(diffms "$p99" "$d99")"
  target50="—"; met50="—"; target99="—"; met99="—"
  if [ "$c" = 1 ]; then target50="≤ 0.5 ms added"; met50="$(le "$ta50" 500)"; fi
  if [ "$c" = 32 ]; then target99="≤ 5 ms added"; met99="$(le "$ta99" 5000)"; fi
  row "non-stream c=$c latency p50 (ms)" "$(ms "$d50")" "$(ms "$t50") (+$(ms "$ta50"))" \
      "$(ms "$p50") (+$(ms "$pa50"))" "$(ratio "$pa50" "$ta50") less added" "$target50" "$met50"
  row "non-stream c=$c latency p99 (ms)" "$(ms "$d99")" "$(ms "$t99") (+$(ms "$ta99"))" \
      "$(ms "$p99") (+$(ms "$pa99"))" "$(ratio "$pa99" "$ta99") less added" "$target99" "$met99"
  dr="$(get "ns_direct_c$c" rps)"; tr_="$(get "ns_tollgate_c$c" rps)"; pr="$(get "ns_portkey_c$c" rps)"
  if [ "$c" = 32 ]; then
    row "non-stream c=$c requests/s" "$(num "$dr")" "$(num "$tr_")" "$(num "$pr")" "$(ratio "$tr_" "$pr")" \
        "≥ 3,000; ≥ 4× Portkey" "$(ge "$tr_" 3000); $([ -n "$pr" ] && ge "$(awk -v a="$tr_" -v b="$pr" 'BEGIN{print a/b}')" 4 || echo —)"
  else
    row "non-stream c=$c requests/s" "$(num "$dr")" "$(num "$tr_")" "$(num "$pr")" "$(ratio "$tr_" "$pr")" "—" "—"
  fi
done

d="$(get st_direct_c1 ttfb_p50_us)"; t="$(get st_tollgate_c1 ttfb_p50_us)"; p="$(get st_portkey_c1 ttfb_p50_us)"
ta="$(diffms "$t" "$d")"; pa="$(diffms "$p" "$d")"
row "stream c=1 time to first event p50 (ms)" "$(ms "$d")" "$(ms "$t") (+$(ms "$ta"))" "$(ms "$p") (+$(ms "$pa"))" \
    "$(ratio "$pa" "$ta") less added" "≤ 1 ms added" "$(le "$ta" 1000)"
d="$(get st_direct_c1 ev_p50_us)"; t="$(get st_tollgate_c1 ev_p50_us)"; p="$(get st_portkey_c1 ev_p50_us)"
ta="$(diffms "$t" "$d")"; pa="$(diffms "$p" "$d")"
row "stream c=1 delay per event p50, provider send → client (ms)" "$(ms "$d")" "$(ms "$t") (+$(ms "$ta"))" \
    "$(ms "$p") (+$(ms "$pa"))" "$(ratio "$pa" "$ta") less added" "—" "—"
d="$(get st_direct_c1 ev_p99_us)"; t="$(get st_tollgate_c1 ev_p99_us)"; p="$(get st_portkey_c1 ev_p99_us)"
row "stream c=1 delay per event p99 (ms)" "$(ms "$d")" "$(ms "$t")" "$(ms "$p")" "—" "—" "—"
d="$(get st_direct_c32 rps)"; t="$(get st_tollgate_c32 rps)"; p="$(get st_portkey_c32 rps)"
row "stream c=32 streams/s (20 events each)" "$(num "$d")" "$(num "$t")" "$(num "$p")" "$(ratio "$t" "$p")" "—" "—"
d="$(get st_direct_c32 ttfb_p50_us)"; t="$(get st_tollgate_c32 ttfb_p50_us)"; p="$(get st_portkey_c32 ttfb_p50_us)"
row "stream c=32 time to first event p50 (ms)" "$(ms "$d")" "$(ms "$t")" "$(ms "$p")" "—" "—" "—"

d="$(get long_direct ttfb_p50_us)"; t="$(get long_tollgate ttfb_p50_us)"; ta="$(diffms "$t" "$d")"
row "1,000 concurrent streams (started over 2 s): first event p50 (ms)" "$(ms "$d")" "$(ms "$t") (+$(ms "$ta"))" "" "—" \
    "within 5 ms of direct" "$(le "$ta" 5000)"
row "1,000 concurrent streams: first event p99 / max (ms)" \
    "$(ms "$(get long_direct ttfb_p99_us)") / $(ms "$(get long_direct ttfb_max_us)")" \
    "$(ms "$(get long_tollgate ttfb_p99_us)") / $(ms "$(get long_tollgate ttfb_max_us)")" "" "—" "—" "—"
row "1,000 concurrent streams: delay per event p50 / p99 (ms)" \
    "$(ms "$(get long_direct ev_p50_us)") / $(ms "$(get long_direct ev_p99_us)")" \
    "$(ms "$(get long_tollgate ev_p50_us)") / $(ms "$(get long_tollgate ev_p99_us)")" "" "—" "—" "—"
row "1,000 concurrent streams: completed, most open at once" "$(get long_direct requests), $(get long_direct max_inflight)" \
    "$(get long_tollgate requests), $(get long_tollgate max_inflight)" "" "—" "1,000" "$(ge "$(get long_tollgate requests)" 1000)"
row "1,000 concurrent streams: peak RSS (MB)" "" "$(( LONG_HWM_KB / 1024 )) (from $(( LONG_BEFORE_KB / 1024 )))" "" "—" \
    "≤ 300 MB" "$(le "$(( LONG_HWM_KB / 1024 ))" 300)"
d="$(get burst_direct ttfb_p50_us)"; t="$(get burst_tollgate ttfb_p50_us)"
row "1,000 streams sent in the same instant: first event p50 / max (ms); peak RSS" \
    "$(ms "$d") / $(ms "$(get burst_direct ttfb_max_us)")" \
    "$(ms "$t") / $(ms "$(get burst_tollgate ttfb_max_us)"); $(( BURST_HWM_KB / 1024 )) MB" "" "—" "—" "—"

mean2() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") print ""; else printf "%.1f", (a + b) / 2 }'; }
f50="$(mean2 "$(get gov_free_c1 lat_p50_us)" "$(get gov_free_c1b lat_p50_us)")"
g50="$(mean2 "$(get gov_limits_c1 lat_p50_us)" "$(get gov_limits_c1b lat_p50_us)")"
ga="$(diffms "$g50" "$f50")"
row "governance c=1 p50: no limits → every limit + run budget (ms)" "" "$(ms "$f50") → $(ms "$g50") (+$(ms "$ga"))" "" "—" \
    "≤ 0.1 ms added" "$(le "$ga" 100)"
fr="$(mean2 "$(get gov_free_c32 rps)" "$(get gov_free_c32b rps)")"
gr="$(mean2 "$(get gov_limits_c32 rps)" "$(get gov_limits_c32b rps)")"
drop="$(awk -v a="$fr" -v b="$gr" 'BEGIN { if (a == "" || b == "") print ""; else printf "%.1f", (a - b) / a * 100 }')"
row "governance c=32 requests/s: no limits → every limit + run budget" "" "$(num "$fr") → $(num "$gr") (${drop}% drop)" "" "—" \
    "≤ 10% drop" "$(le "$drop" 10)"
row "ledger: records written per second (c=32, governed key), lag behind the calls" "" \
    "$(awk -v n="$LEDGER_RECORDS" -v s="$SECONDS_PER_RUN" -v w="$WARMUP" 'BEGIN { printf "%.0f", n / (s + w) }')/s ($LEDGER_RECORDS of $LEDGER_SENT calls); a call right after is readable ${LEDGER_LAG_MS} ms later" \
    "" "—" "every call recorded" "$(ge "$LEDGER_RECORDS" "$LEDGER_SENT")"

h50="$(get hit_tollgate_c1 lat_p50_us)"
row "cache hit c=1 p50, whole gateway (ms)" "" "$(ms "$h50") ($(get hit_tollgate_c1 cap_hit) hits)" "" "—" "≤ 0.3 ms" "$(le "$h50" 300)"
row "cache hit c=32 requests/s" "" "$(num "$(get hit_tollgate_c32 rps)") (p99 $(ms "$(get hit_tollgate_c32 lat_p99_us)") ms)" "" "—" "—" "—"

d="$(get xl_direct_c1 lat_p50_us)"; t="$(get xl_tollgate_c1 lat_p50_us)"; ta="$(diffms "$t" "$d")"
row "translated non-stream c=1 p50 (chat → anthropic) (ms)" "$(ms "$d")" "$(ms "$t") (+$(ms "$ta"))" "" "—" "—" "—"
row "translated non-stream c=32 requests/s" "$(num "$(get xl_direct_c32 rps)")" "$(num "$(get xl_tollgate_c32 rps)")" "" "—" "—" "—"
d="$(get xls_direct_c1 ttfb_p50_us)"; t="$(get xls_tollgate_c1 ttfb_p50_us)"; ta="$(diffms "$t" "$d")"
row "translated stream c=1 first event p50 (ms)" "$(ms "$d")" "$(ms "$t") (+$(ms "$ta"))" "" "—" "—" "—"

first="$(echo "$STARTUP_LINE" | sed -n 's/.*startup_first_ms=\([0-9.]*\).*/\1/p')"
warm="$(echo "$STARTUP_LINE" | sed -n 's/.*startup_p50_ms=\([0-9.]*\).*/\1/p')"
row "start-up to the \`listening on\` line (ms): empty data dir / p50 of 5 restarts" "" "$first / $warm" "" "—" "≤ 300 ms" \
    "$(le "$(awk -v a="$first" -v b="$warm" 'BEGIN { print (a > b) ? a : b }')" 300)"
row "start-up with the run's data dir ($LEDGER_ROWS calls in the ledger, their answers in the cache) (ms)" "" \
    "$(echo "$FULL_LINE" | sed -n 's/.*startup_first_ms=\([0-9.]*\).*/\1/p')" "" "—" "≤ 300 ms" \
    "$(le "$(echo "$FULL_LINE" | sed -n 's/.*startup_first_ms=\([0-9.]*\).*/\1/p')" 300)"
row "idle RSS after start (MB)" "" "$(awk -v k="$TG_IDLE_KB" 'BEGIN { printf "%.1f", k / 1024 }')" \
    "$(awk -v k="$PK_IDLE_KB" 'BEGIN { if (k == "") print "—"; else printf "%.1f", k / 1024 }')" "—" "—" "—"
row "RSS after the whole run / peak (MB; the response cache holds every distinct answer)" "" \
    "$(( TG_AFTER_KB / 1024 )) / $(( TG_PEAK_KB / 1024 ))" "$([ -n "$PK_PEAK_KB" ] && echo "peak $(( PK_PEAK_KB / 1024 ))")" "—" "—" "—"
bs="$(echo "$BIG_LINE" | sed -n 's/.*status=\([0-9]*\).*/\1/p')"
bg="$(( (BIG_HWM_KB - BIG_BEFORE_KB) / 1024 ))"
row "200 MB body (Content-Length): status, peak RSS growth (MB)" "" "$bs, +$bg (answered after $(echo "$BIG_LINE" | sed -n 's/.*sent_before_answer=\([0-9-]*\).*/\1/p') body bytes)" "" "—" "413, ≤ 10 MB" \
    "$([ "$bs" = 413 ] && le "$bg" 10 || echo '**no**')"
cs="$(echo "$BIGC_LINE" | sed -n 's/.*status=\([0-9]*\).*/\1/p')"
cg="$(( (BIGC_HWM_KB - BIGC_BEFORE_KB) / 1024 ))"
row "200 MB body (chunked): status, peak RSS growth (MB)" "" "$cs, +$cg (answered after $(echo "$BIGC_LINE" | sed -n 's/.*sent_before_answer=\([0-9-]*\).*/\1/p') body bytes)" "" "—" "413, ≤ 10 MB" \
    "$([ "$cs" = 413 ] && le "$cg" 10 || echo '**no**')"

{
  echo "# Tollgate benchmark results"
  echo
  echo "Written by \`scripts/bench.sh\` on $(date -u +%Y-%m-%dT%H:%MZ) from commit $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- gateway app 2>/dev/null || echo ' (with local changes)')."
  echo
  echo "## Machine"
  echo
  echo "- CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores"
  echo "- memory: $(awk '/^MemTotal:/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)"
  echo "- kernel: $(uname -sr)"
  echo "- Qt: $(dpkg-query -W -f='${Version}' libqt6core6 2>/dev/null || echo unknown)"
  echo "- Node: $(node --version 2>/dev/null || echo none); Portkey gateway: $([ -n "$PK" ] && echo "$PORTKEY_VERSION" || echo 'not run')"
  echo "- load average before the run: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "## Setup"
  echo
  echo "Everything on 127.0.0.1, all processes on the same $(nproc) cores (the load generator and the fake"
  echo "provider take their share). Fake provider: bench/fakeprovider (one thread, epoll), OpenAI and Anthropic"
  echo "wire formats, usage in every answer. Load: bench/loadgen (one thread, epoll, keep-alive, fixed"
  echo "concurrency), ${SECONDS_PER_RUN} s per figure after ${WARMUP} s of warm-up; every request body is unique"
  echo "(no cache hits) except in the cache rows. Latency is to the last byte of the answer; \"added\" is the"
  echo "gateway's figure minus the direct one at the same concurrency. Streams: 20 events 1 ms apart at"
  echo "c=1 (first event and per-event delay, measured from the provider's send time stamped in each event),"
  echo "20 events back to back at c=32. Tollgate keys are minted through the admin API; the governed key"
  echo "has rate, token-rate, monthly and hard caps and a run budget (all far above what the run spends)"
  echo "and sends X-Tollgate-Run-Id, so every call is metered, budgeted and written to the ledger. Portkey"
  echo "routes with x-portkey-provider: openai and x-portkey-custom-host to the same fake provider."
  echo
  echo "| figure | direct | Tollgate | Portkey | Tollgate vs Portkey | target | met? |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "<details><summary>raw load generator lines</summary>"
  echo
  echo '```'
  cat "$RAW"
  echo '```'
  echo
  echo "</details>"
} > "$OUT"
echo "==> wrote $OUT"
