#!/usr/bin/env bash
# Throughput through resplit with metrics counted vs. compiled out (-DRESPLIT_NO_METRICS), in one
# interleaved run against the same master + replica: each round runs both binaries back to back,
# alternating which goes first, so machine noise hits both alike. Prints requests/s per round and
# the mean ratio off/on. RESPLIT_ON / RESPLIT_OFF name prebuilt binaries (skips the two builds).
#
#   benchmarks/load/metrics_overhead.sh [rounds] [requests]
set -euo pipefail

rounds="${1:-5}"
requests="${2:-200000}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d /tmp/resplit-metrics-overhead.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

cd "$root"
if [ -n "${RESPLIT_ON:-}" ] && [ -n "${RESPLIT_OFF:-}" ]; then
  cp -f "$RESPLIT_ON" "$work/resplit-on"
  cp -f "$RESPLIT_OFF" "$work/resplit-off"
else
  bazel build -c opt //proxy:resplit >/dev/null 2>&1
  cp -f bazel-bin/proxy/resplit "$work/resplit-on"
  bazel build -c opt --copt=-DRESPLIT_NO_METRICS //proxy:resplit >/dev/null 2>&1
  cp -f bazel-bin/proxy/resplit "$work/resplit-off"
fi

master=$(free_port); replica=$(free_port)
redis-server --port "$master" --save '' --appendonly no --dir "$work" >"$work/master.log" 2>&1 &
pids+=($!)
redis-server --port "$replica" --save '' --appendonly no --dir "$work" \
  --replicaof 127.0.0.1 "$master" >"$work/replica.log" 2>&1 &
pids+=($!)
sleep 1

run_one() {  # binary -> requests/s (GET and SET, pipelined, averaged)
  local binary="$1" listen admin pid rps
  listen=$(free_port); admin=$(free_port)
  "$binary" --master "127.0.0.1:$master" --replica "127.0.0.1:$replica" \
    --listen "127.0.0.1:$listen" --admin "127.0.0.1:$admin" --log-level warn >"$work/resplit.log" 2>&1 &
  pid=$!
  for _ in $(seq 50); do redis-cli -p "$listen" ping >/dev/null 2>&1 && break; sleep 0.1; done
  sleep 0.5  # the replica becomes routable
  rps=$(redis-benchmark -p "$listen" -n "$requests" -c 50 -P 16 -t set,get --csv 2>/dev/null |
        awk -F, 'NR>1 {gsub(/"/,"",$2); s+=$2; n++} END {printf "%.0f", s/n}')
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$rps"
}

echo "round  metrics_on_rps  metrics_off_rps  off/on"
sum_ratio=0
for r in $(seq "$rounds"); do
  if [ $((r % 2)) -eq 1 ]; then
    on=$(run_one "$work/resplit-on")
    off=$(run_one "$work/resplit-off")
  else
    off=$(run_one "$work/resplit-off")
    on=$(run_one "$work/resplit-on")
  fi
  ratio=$(python3 -c "print(f'{$off/$on:.4f}')")
  sum_ratio=$(python3 -c "print($sum_ratio+$ratio)")
  printf "%5d  %14s  %15s  %6s\n" "$r" "$on" "$off" "$ratio"
done
python3 -c "m=$sum_ratio/$rounds; print(f'mean off/on = {m:.4f}: metrics cost {100*(m-1):+.2f}% throughput')"
