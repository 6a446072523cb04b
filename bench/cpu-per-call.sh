#!/usr/bin/env bash
# CPU per call and per thread at a fixed concurrency: starts bench/fakeprovider
# and a fresh Tollgate on 127.0.0.1, mints a key with every limit and a run
# budget, drives unique non-streaming calls with bench/loadgen, and prints the
# load generator's figures, the gateway's CPU time per call (user + system
# over the whole run, divided by the calls) and each thread's share of a core
# over 4 s in the middle of the run. `perf` as the first argument also records
# a profile of those 4 s (perf.data in the printed work folder).
#
#   bench/cpu-per-call.sh                        # build-bench, c=32, 8 s
#   B=build C=128 D=10 bench/cpu-per-call.sh perf
#   PRE="env LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2" bench/cpu-per-call.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
B="$(cd "$ROOT" && realpath "${B:-build-bench}")"; C="${C:-32}"; D="${D:-8}"
W="$(mktemp -d /tmp/tollgate-cpu.XXXXXX)"
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true' EXIT
wait_line() { for _ in $(seq 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done; cat "$1" >&2; exit 1; }
port_of() { sed -n 's/.*listening on http:\/\/[0-9.]*:\([0-9]*\).*/\1/p' "$1" | head -1; }

"$B/bench/fakeprovider/fakeprovider" > "$W/fake.out" 2>&1 & PIDS+=($!)
wait_line "$W/fake.out" "listening on"
FP="$(port_of "$W/fake.out")"
cat > "$W/config.json" <<J
{"listen": "127.0.0.1:0", "providers": [{"name": "fake", "kind": "openai",
  "base_url": "http://127.0.0.1:$FP/v1", "api_key": "sk-fake", "models": ["gpt-*"]}]}
J
${PRE:-} "$B/app/tollgate" --headless --listen 127.0.0.1:0 --data-dir "$W/data" --config "$W/config.json" \
  > "$W/tg.out" 2> "$W/tg.err" & TG_PID=$!; PIDS+=($TG_PID)
wait_line "$W/tg.out" "listening on"
TG="$(port_of "$W/tg.out")"
KEY="$(curl -sf -X POST "http://127.0.0.1:$TG/admin/keys" -H "authorization: Bearer $(cat "$W/data/admin-token")" \
  -H 'content-type: application/json' \
  -d '{"name": "cpu", "rate_per_min": 100000000, "tokens_per_min": 100000000000, "monthly_cap": 1000000, "hard_cap": 1000000, "run_budget_usd": 1000000}' \
  | sed -n 's/.*"key":"\([^"]*\)".*/\1/p')"

cpu_of() { awk '{print $14 + $15}' "$1"; }   # clock ticks (1/100 s)
threads() { for t in /proc/"$TG_PID"/task/*; do echo "$(basename "$t") $(tr ' ' _ < "$t/comm") $(cpu_of "$t/stat")"; done | sort; }
(
  sleep 2
  threads > "$W/t0"
  if [ "${1:-}" = perf ]; then perf record -F 500 --call-graph dwarf,16384 -p "$TG_PID" -o "$W/perf.data" -- sleep 4 >/dev/null 2>&1
  else sleep 4; fi
  threads > "$W/t1"
) & SAMPLER=$!

cpu0="$(cpu_of /proc/$TG_PID/stat)"
line="$("$B/bench/loadgen/loadgen" run --label cpu --url "http://127.0.0.1:$TG/v1/chat/completions" -d "$D" --warmup 1 \
  -c "$C" --body '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello. {{N}}"}],"max_tokens":16}' \
  --unique -H "authorization: Bearer $KEY" -H "x-tollgate-run-id: cpu")"
cpu1="$(cpu_of /proc/$TG_PID/stat)"
wait "$SAMPLER"
total="$(echo "$line" | tr ' ' '\n' | sed -n 's/^total=//p')"
echo "$line" | tr ' ' '\n' | grep -E '^(c|rps|errors|lat_p50_us|lat_p99_us)=' | tr '\n' ' '
echo "cpu_us_per_call=$(( (cpu1 - cpu0) * 10000 / total ))"
join "$W/t0" "$W/t1" | awk '{ share[$2] += ($5 - $3) / 4; total += ($5 - $3) / 4 }
  END { for (n in share) printf "  %-18s %4.0f%% of a core\n", n, share[n]; printf "  %-18s %4.0f%%\n", "process", total }'
echo "work folder: $W"
