#!/usr/bin/env bash
# Builds resplit's libFuzzer targets with clang (ASan + UBSan) and runs each for a while, seeded by
# the committed corpus and guided by the RESP dictionary. A crash is copied to
# tests/fuzz/findings/<target>/ (replayed by `bazel test //tests/fuzz:all` from then on) and fails
# the run. Usage: tools/fuzz.sh [seconds per target, default 60] [target ...]
# With FUZZ_RESULTS set, also writes `N passed, N failed` (one case per target) to that file.
set -uo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(request_parser reply_parser differential info_parser config_loader)

cxx="${CXX_FUZZ:-clang++-14}"
out="${FUZZ_OUT:-/tmp/resplit-fuzz}"
mkdir -p "$out"
flags=(-std=c++20 -O1 -g -I. -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)

sources_for() {
  case "$1" in
    request_parser|differential)
      echo proxy/resp/request_parser.cc proxy/resp/inline_splitter.cc proxy/resp/reply_writer.cc ;;
    reply_parser) echo proxy/resp/reply_parser.cc ;;
    info_parser) echo proxy/topology/info_parser.cc proxy/topology/snapshot.cc proxy/resp/hiredis_reply.cc ;;
    config_loader) echo proxy/config/*.cc proxy/base/errc.cc proxy/base/log.cc ;;
  esac
}

libs_for() {
  case "$1" in
    differential|info_parser) echo -lhiredis ;;
    config_loader) echo -lyaml-cpp -lspdlog -lfmt ;;
  esac
}

failed=0
passed=0
for t in "${targets[@]}"; do
  bin="$out/$t"
  # shellcheck disable=SC2046
  if ! "$cxx" "${flags[@]}" "tests/fuzz/${t}_fuzzer.cc" $(sources_for "$t") $(libs_for "$t") \
      -o "$bin"; then
    failed=$((failed + 1))
    echo "fuzz $t: does not build"
    continue
  fi
  work="$out/$t.corpus"
  artifacts="$out/$t.artifacts/"
  rm -rf "$artifacts"
  mkdir -p "$work" "$artifacts"
  dict=()
  case "$t" in request_parser|reply_parser) dict=(-dict=tests/fuzz/resp.dict) ;; esac
  start=$(date +%s)
  # -max_total_time is wall-clock time; the CPU time the fuzzer got is measured beside it.
  if { TIMEFORMAT='%U %S'; time "$bin" "$work" "tests/fuzz/corpus/$t" "${dict[@]}" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="$artifacts" >"$out/$t.log" 2>&1; } 2>"$out/$t.cpu"; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$t.log" | grep -o '[0-9]*$' || echo '?')
    cpu=$(awk '{printf "%d", $1 + $2}' "$out/$t.cpu" 2>/dev/null || echo '?')
    echo "fuzz $t: ${seconds}s, $runs inputs, ${cpu} CPU-s, no finding ($(( $(date +%s) - start ))s)"
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    mkdir -p "tests/fuzz/findings/$t"
    cp "$artifacts"* "tests/fuzz/findings/$t/" 2>/dev/null || true
    echo "fuzz $t: FINDING, see $out/$t.log; input copied to tests/fuzz/findings/$t/"
    tail -30 "$out/$t.log"
  fi
done
[ -z "${FUZZ_RESULTS:-}" ] || echo "$passed passed, $failed failed" > "$FUZZ_RESULTS"
[ "$failed" -eq 0 ]
