#!/usr/bin/env bash
# Offline checks of the Helm charts, the Grafana dashboard and the Prometheus rules.
#
#   tools/chart_checks.sh [--update] [--no-install] [CHECK...]
#
# CHECKs (all when none is named):
#   lint       helm lint --strict, every chart x ci/*.yaml x Kubernetes 1.28, 1.29, 1.33
#   render     helm template of the same; every object validated against the Kubernetes and
#              prometheus-operator schemas (tools/chart_tools/validate.mjs); compared with the
#              golden snapshots in tests/charts/golden/ (--update rewrites them)
#   rules      promtool check rules (the shipped file and the rendered PrometheusRule) and
#              promtool test rules tests/charts/rules/*_test.yaml
#   dashboard  dashboard structure; every PromQL expression parses (each becomes a recording rule
#              for `promtool check rules`, since promtool has no parse command)
#   metrics    every metric name in the dashboard and the rules is one resplit exports
#   package    helm package of both charts
#   notes      NOTES.txt renders (helm install --dry-run=client) for every ci/*.yaml
#   examples   the example charts give the guestbook's Services and labels, apps/v1, and a pod
#              whose application reaches Redis through resplit on localhost:6379
#   config     every resplit config the charts render passes `resplit --check-config`
#
# Schema validation: the npm packages kubernetes-models (the Kubernetes 1.33 OpenAPI schemas,
# compiled for ajv) and @kubernetes-models/prometheus-operator (the ServiceMonitor, PodMonitor and
# PrometheusRule CRDs). They work offline once installed; kubeconform, kubeval and kube-linter are
# neither in Debian 12 nor on npm, and `kubectl --dry-run=client` still asks a server for OpenAPI.
# They do not reject unknown fields: the golden snapshots catch misspelt keys.
#
# Tools come from tools/chart_tools.sh (run first unless --no-install; Bazel tests pass it, and
# find the tools in $RESPLIT_TOOLS_DIR, default /opt/resplit-tools). Prints one PASS/FAIL line per
# case and ends with `N passed, N failed`; writes JUnit XML to $XML_OUTPUT_FILE when Bazel sets it.
# Sourced with CHART_CHECKS_LIB=1, it only defines the functions (tests/charts/negative_test.sh).
set -uo pipefail

repo=${CHART_CHECKS_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
tools=${RESPLIT_TOOLS_DIR:-/opt/resplit-tools}
kube_versions=(1.28.0 1.29.0 1.33.0)
# Charts rendered from their ci/*.yaml files (the library chart is linted and packaged only).
render_charts=(resplit examples/redis-topology examples/guestbook)
lint_charts=(resplit resplit-sidecar examples/redis-topology examples/guestbook)
golden_dir=$repo/tests/charts/golden

# --- results -------------------------------------------------------------------------------------
case_names=() case_errors=()
pass() { echo "PASS $1"; case_names+=("$1"); case_errors+=(""); }
fail() { echo "FAIL $1: $2"; case_names+=("$1"); case_errors+=("${2:-failed}"); }
record() {  # NAME COMMAND...: one case, passed when the command succeeds
  local name=$1
  shift
  if "$@"; then pass "$name"; else fail "$name" "see the output above"; fi
}
xml_escape() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g'; }
finish() {
  local passed=0 failed=0 i
  for i in "${!case_names[@]}"; do
    if [ -z "${case_errors[$i]}" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  done
  if [ -n "${XML_OUTPUT_FILE:-}" ]; then
    {
      echo '<?xml version="1.0" encoding="UTF-8"?>'
      local suite=${1:-chart_checks}
      echo "<testsuites><testsuite name=\"$suite\" tests=\"$((passed + failed))\" failures=\"$failed\">"
      for i in "${!case_names[@]}"; do
        printf '<testcase classname="%s" name="%s">' "$suite" "$(xml_escape <<<"${case_names[$i]}")"
        [ -n "${case_errors[$i]}" ] &&
          printf '<failure message="%s"/>' "$(xml_escape <<<"${case_errors[$i]}" | tr '\n' ' ')"
        echo '</testcase>'
      done
      echo '</testsuite></testsuites>'
    } > "$XML_OUTPUT_FILE"
  fi
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}

# --- tools ---------------------------------------------------------------------------------------
work=${TEST_TMPDIR:-$(mktemp -d)}/chart_checks
mkdir -p "$work"
export HELM_CACHE_HOME=$work/helm/cache HELM_CONFIG_HOME=$work/helm/config HELM_DATA_HOME=$work/helm/data
helm() { "$tools/bin/helm" "$@"; }
# Debian's python3 has python3-yaml (tools/install_deps.sh); another python3 on PATH may not.
py=/usr/bin/python3; [ -x "$py" ] || py=python3
promtool() { "$tools/bin/promtool" "$@"; }
require_tools() {
  local t missing=0
  for t in bin/helm bin/promtool node/node_modules; do
    if [ ! -e "$tools/$t" ]; then
      echo "FAIL missing $tools/$t: run tools/chart_tools.sh first (tools/test_all.sh does)"
      missing=1
    fi
  done
  for t in node "$py"; do
    command -v "$t" >/dev/null || { echo "FAIL missing $t on PATH"; missing=1; }
  done
  return $missing
}
validate_objects() {  # FILE...: Kubernetes + prometheus-operator schemas
  mkdir -p "$work/validate"
  cp "$repo/tools/chart_tools/validate.mjs" "$work/validate/"
  ln -sfn "$tools/node/node_modules" "$work/validate/node_modules"
  node "$work/validate/validate.mjs" "$@"
}
dashboard_tool() { "$py" "$repo/tools/chart_tools/dashboard_check.py" "$@"; }

# A writable copy of the charts (dependencies are built into the copy, never into the tree).
charts_copy() {
  if [ ! -d "$work/charts" ]; then
    cp -rL "$repo/charts" "$work/charts"
    rm -f "$work/charts/BUILD.bazel"
    helm dependency build "$work/charts/examples/guestbook" >/dev/null || return 1
  fi
  echo "$work/charts"
}
ci_files() { ls "$1"/ci/*.yaml 2>/dev/null; }

# --- single checks (each returns non-zero on a problem; the negative tests call these) -----------
lint_chart() {  # CHART_DIR [VALUES] KUBE_VERSION
  local dir=$1 values=$2 kube=$3 args=()
  [ -n "$values" ] && args+=(-f "$values")
  helm lint --strict --kube-version "$kube" "$dir" "${args[@]}" > "$work/lint.out" 2>&1 ||
    { grep -E 'ERROR|WARNING|Error' "$work/lint.out" | head -5; return 1; }
}
render_chart() {  # CHART_DIR VALUES KUBE_VERSION OUT
  helm template resplit-ci "$1" --namespace apps -f "$2" --kube-version "$3" > "$4" 2> "$4.err" ||
    { head -5 "$4.err"; return 1; }
}
check_rules_file() {
  promtool check rules "$1" > "$work/promtool.out" 2>&1 || { cat "$work/promtool.out"; return 1; }
}
test_rules_file() {
  promtool test rules "$1" > "$work/promtool.out" 2>&1 || { tail -30 "$work/promtool.out"; return 1; }
}
alerts_tested() {  # RULES TEST...: every alert of RULES fires (non-empty exp_alerts) in some TEST
  "$py" - "$@" <<'PY'
import sys, yaml
alerts = {r["alert"] for g in yaml.safe_load(open(sys.argv[1]))["groups"] for r in g["rules"] if "alert" in r}
fired = {t["alertname"] for f in sys.argv[2:] for case in yaml.safe_load(open(f))["tests"]
         for t in case.get("alert_rule_test", []) if t.get("exp_alerts")}
for name in sorted(alerts - fired):
    print(f"{sys.argv[1]}: alert {name} never fires in a unit test")
sys.exit(1 if alerts - fired else 0)
PY
}
check_dashboard_structure() { dashboard_tool structure "$1"; }
check_dashboard_promql() {  # DASHBOARD: each expression as a recording rule, parsed by promtool
  dashboard_tool promql-rules "$1" > "$work/dashboard-exprs.rules.yaml" || return 1
  check_rules_file "$work/dashboard-exprs.rules.yaml"
}
known_metrics() {  # writes the known metric names (histograms with their series) to $work/known
  local binary=${RESPLIT_BINARY:-$repo/bazel-bin/proxy/resplit} source
  # The binary's own list when it has --describe-metrics; until then (main does not have it yet)
  # the checked-in FALLBACK list written from the design reference's metric table.
  if [ -x "$binary" ] && "$binary" --describe-metrics > "$work/described" 2>/dev/null &&
      grep -q $'\t' "$work/described"; then
    source="resplit --describe-metrics"
  else
    cp "$repo/tests/charts/metrics_fallback.tsv" "$work/described"
    source="FALLBACK tests/charts/metrics_fallback.tsv (resplit --describe-metrics unavailable)"
  fi
  awk -F'\t' '!/^#/ && NF >= 2 { print $1; if ($2 == "histogram") { print $1 "_bucket"; print $1 "_sum"; print $1 "_count" } }
              END { print "up" }' "$work/described" > "$work/known"
  echo "metric names from $source: $(wc -l < "$work/known")"
}
check_metric_names() { dashboard_tool names "$work/known" "$@"; }

# --- the checks ----------------------------------------------------------------------------------
run_lint() {
  local charts chart values kube
  charts=$(charts_copy) || { fail "lint: helm dependency build" "see output"; return; }
  for chart in "${lint_charts[@]}"; do
    for kube in "${kube_versions[@]}"; do
      if [ -z "$(ci_files "$charts/$chart")" ]; then
        record "lint $chart @$kube" lint_chart "$charts/$chart" "" "$kube"
      fi
      for values in $(ci_files "$charts/$chart"); do
        record "lint $chart $(basename "$values") @$kube" lint_chart "$charts/$chart" "$values" "$kube"
      done
    done
  done
}

run_render() {
  local charts chart values kube out golden name
  charts=$(charts_copy) || { fail "render: helm dependency build" "see output"; return; }
  for chart in "${render_charts[@]}"; do
    mkdir -p "$work/rendered/$chart" "$golden_dir/$chart"
    for values in $(ci_files "$charts/$chart"); do
      for kube in "${kube_versions[@]}"; do
        name="$chart $(basename "$values" .yaml) @$kube"
        out="$work/rendered/$chart/$(basename "$values" .yaml).kube-$kube.yaml"
        golden="$golden_dir/$chart/$(basename "$out")"
        if ! render_chart "$charts/$chart" "$values" "$kube" "$out"; then
          fail "render $name" "helm template failed"; continue
        fi
        pass "render $name"
        if validate_objects "$out" > "$out.validate"; then
          pass "schema $name"
        else
          grep FAIL "$out.validate"
          fail "schema $name" "$(grep -c FAIL "$out.validate") objects invalid"
        fi
        if [ "${update_golden:-0}" = 1 ]; then
          cp "$out" "$golden" && pass "golden $name (updated)"
        elif [ ! -f "$golden" ]; then
          fail "golden $name" "no snapshot $golden: run tools/chart_checks.sh --update render"
        elif diff -u "$golden" "$out" > "$out.diff"; then
          pass "golden $name"
        else
          head -40 "$out.diff"
          fail "golden $name" "differs from ${golden#"$repo"/} (if intended: tools/chart_checks.sh --update render)"
        fi
      done
    done
  done
}

run_rules() {
  local charts rendered t
  record "promtool check rules resplit.rules.yaml" check_rules_file "$repo/charts/resplit/rules/resplit.rules.yaml"
  # The rules as the chart renders them into a PrometheusRule (escaping, overrides, disabled).
  charts=$(charts_copy) || return
  rendered=$work/prometheusrule.yaml
  if helm template r "$charts/resplit" -f "$charts/resplit/ci/monitoring-values.yaml" \
      --show-only templates/prometheusrule.yaml > "$rendered" &&
      "$py" -c 'import sys, yaml; yaml.safe_dump({"groups": yaml.safe_load(open(sys.argv[1]))["spec"]["groups"]}, open(sys.argv[2], "w"))' \
        "$rendered" "$work/rendered.rules.yaml" && check_rules_file "$work/rendered.rules.yaml"; then
    pass "promtool check rules (rendered PrometheusRule)"
  else
    fail "promtool check rules (rendered PrometheusRule)" "see output"
  fi
  for t in "$repo"/tests/charts/rules/*_test.yaml; do
    record "promtool test rules $(basename "$t")" test_rules_file "$t"
  done
  record "every shipped alert has a unit test in which it fires" alerts_tested \
    "$repo/charts/resplit/rules/resplit.rules.yaml" "$repo"/tests/charts/rules/*_test.yaml
}

run_dashboard() {
  local d
  for d in "$repo"/charts/resplit/dashboards/*.json; do
    record "dashboard structure $(basename "$d")" check_dashboard_structure "$d"
    record "dashboard PromQL parses $(basename "$d")" check_dashboard_promql "$d"
  done
}

run_metrics() {
  known_metrics
  if check_metric_names "$repo"/charts/resplit/dashboards/*.json "$repo/charts/resplit/rules/resplit.rules.yaml"; then
    pass "metric names in dashboard and rules exist"
  else
    fail "metric names in dashboard and rules exist" "unknown metric names (see output)"
  fi
}

run_package() {
  local charts chart library_version
  charts=$(charts_copy) || return
  # The library's default image tag is written in its template: it must follow its appVersion.
  library_version=$(grep -o 'define "resplit-sidecar.appVersion" -}}[^{]*' "$charts/resplit-sidecar/templates/_sidecar.tpl" | sed 's/.*}}//')
  if grep -qx "appVersion: \"$library_version\"" "$charts/resplit-sidecar/Chart.yaml" &&
      grep -qx "appVersion: \"$library_version\"" "$charts/resplit/Chart.yaml"; then
    pass "resplit and resplit-sidecar default to image tag $library_version"
  else
    fail "resplit and resplit-sidecar default to one image tag" "resplit-sidecar.appVersion is '$library_version'"
  fi
  mkdir -p "$work/packages"
  for chart in resplit resplit-sidecar; do
    if helm package "$charts/$chart" -d "$work/packages" > "$work/package.out" 2>&1 &&
        tar -tzf "$work/packages/$chart-0.1.0.tgz" > "$work/package.list" &&
        grep -qx "$chart/Chart.yaml" "$work/package.list" && ! grep -q "/ci/" "$work/package.list"; then
      pass "helm package $chart"
    else
      cat "$work/package.out"; fail "helm package $chart" "see output"
    fi
  done
}

run_notes() {  # NOTES.txt renders for every ci values file (helm install --dry-run=client, offline)
  local charts values
  charts=$(charts_copy) || return
  for values in $(ci_files "$charts/resplit"); do
    if helm install resplit-ci "$charts/resplit" -n apps --dry-run=client -f "$values" > "$work/notes.out" 2>&1 &&
        grep -q "^  resplit-ci.apps.svc:6379$" "$work/notes.out"; then
      pass "NOTES.txt resplit $(basename "$values")"
    else
      tail -5 "$work/notes.out"; fail "NOTES.txt resplit $(basename "$values")" "see output"
    fi
  done
}

run_examples() {
  local charts kube values
  charts=$(charts_copy) || return
  for values in sidecar classic-sidecar standalone; do
    for kube in "${kube_versions[@]}"; do
      local out=$work/example-$values@$kube.yaml
      if render_chart "$charts/examples/guestbook" "$charts/examples/guestbook/ci/$values-values.yaml" "$kube" "$out" &&
          "$py" "$repo/tests/charts/examples_check.py" "$out" "$values" "$kube"; then
        pass "example guestbook $values @$kube"
      else
        fail "example guestbook $values @$kube" "see output"
      fi
    done
  done
}

run_config() {
  local binary=${RESPLIT_BINARY:-$repo/bazel-bin/proxy/resplit} f n=0
  [ -x "$binary" ] || { fail "config: resplit binary" "not found at $binary (bazel build //proxy:resplit)"; return; }
  local charts chart values kube out
  charts=$(charts_copy) || return
  mkdir -p "$work/configs"
  for chart in "${render_charts[@]}"; do
    for values in $(ci_files "$charts/$chart"); do
      for kube in "${kube_versions[@]}"; do
        out="$work/configs/$(basename "$chart")-$(basename "$values" .yaml).kube-$kube"
        render_chart "$charts/$chart" "$values" "$kube" "$out.render" || { fail "config: render $out" "helm template"; continue; }
        "$py" "$repo/tests/charts/extract_configs.py" "$out.render" "$out" || fail "config: extract $out" "see output"
      done
    done
  done
  for f in "$work"/configs/*.yaml; do
    n=$((n + 1))
    # Secrets referenced as files exist in the pod only: give --check-config stand-ins.
    (cd "$work/configs" && "$binary" --check-config "$f" > "$f.out" 2>&1) &&
      pass "resplit --check-config $(basename "$f")" ||
      { cat "$f.out"; fail "resplit --check-config $(basename "$f")" "$(head -1 "$f.out")"; }
  done
  [ "$n" -gt 0 ] || fail "config: rendered configs" "none found"
}

main() {
  local install=1 checks=() c
  update_golden=0
  for c in "$@"; do
    case $c in
      --update) update_golden=1 ;;
      --no-install) install=0 ;;
      lint | render | rules | dashboard | metrics | package | notes | examples | config) checks+=("$c") ;;
      *) echo "unknown argument $c"; sed -n '2,30p' "${BASH_SOURCE[0]}"; return 2 ;;
    esac
  done
  [ ${#checks[@]} -gt 0 ] || checks=(lint render rules dashboard metrics package notes examples config)
  if [ $install = 1 ]; then "$repo/tools/chart_tools.sh" "$tools" || return 1; fi
  require_tools || { fail "tools" "missing (see above)"; finish "${checks[*]}"; return; }
  for c in "${checks[@]}"; do "run_$c"; done
  finish "${checks[*]// /_}"
}

if [ -z "${CHART_CHECKS_LIB:-}" ]; then
  main "$@"
fi
