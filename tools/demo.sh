#!/usr/bin/env bash
# The local demo: a Redis master and two replicas on loopback, and resplit in front of them
# (config/demo.yaml). Installs and builds first. Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install_deps.sh
bazel build --color=no --curses=no -c opt //proxy:resplit
resplit_bin="$(bazel info -c opt bazel-bin 2>/dev/null)/proxy/resplit"

master_port=16379
replica_ports=(16380 16381)
resplit_port=6380
admin_port=9121
demo_dir="$PWD/.demo"
pids=()

stop_all() {
  trap - INT TERM EXIT
  echo
  echo "demo: stopping ${#pids[@]} processes"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  exit 0
}
trap stop_all INT TERM EXIT

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$master_port" "${replica_ports[@]}" "$resplit_port" "$admin_port"; do
  port_free "$port" || { echo "demo: port $port is in use; stop whatever listens there" >&2; exit 1; }
done

start_redis() {  # port [extra args...]
  local port=$1; shift
  mkdir -p "$demo_dir/$port"
  redis-server --bind 127.0.0.1 --port "$port" --dir "$demo_dir/$port" --save '' --appendonly no \
    --repl-diskless-sync-delay 0 --logfile "$demo_dir/$port/redis.log" "$@" &
  pids+=($!)
}

rm -rf "$demo_dir"
start_redis "$master_port"
for port in "${replica_ports[@]}"; do start_redis "$port" --replicaof 127.0.0.1 "$master_port"; done

echo "demo: waiting for the replicas to sync"
for port in "${replica_ports[@]}"; do
  for i in $(seq 100); do
    redis-cli -p "$port" info replication 2>/dev/null | grep -q 'master_link_status:up' && break
    [ "$i" -eq 100 ] && { echo "demo: replica $port did not sync" >&2; exit 1; }
    sleep 0.1
  done
done

"$resplit_bin" -c config/demo.yaml &
pids+=($!)
for i in $(seq 50); do
  redis-cli -p "$resplit_port" ping >/dev/null 2>&1 && break
  [ "$i" -eq 50 ] && { echo "demo: resplit did not start" >&2; exit 1; }
  sleep 0.1
done

cat <<MSG

resplit is running on 127.0.0.1:$resplit_port in front of
  master   127.0.0.1:$master_port
  replicas 127.0.0.1:${replica_ports[0]}, 127.0.0.1:${replica_ports[1]}

Connect with:   redis-cli -p $resplit_port
Metrics:        curl http://127.0.0.1:$admin_port/metrics
Press Ctrl-C to stop everything this demo started.
MSG
wait -n "${pids[@]}" || true
echo "demo: a process exited unexpectedly; see $demo_dir/*/redis.log" >&2
