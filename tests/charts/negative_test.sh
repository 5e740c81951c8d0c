#!/usr/bin/env bash
# Each check of tools/chart_checks.sh rejects a broken input: a broken template, a misspelt key, a
# wrong type, a value outside the schema, a bad sidecar mode, TLS without its Secret, a misspelt
# TLS key, a TLS key that does not match its certificate, an API removed from Kubernetes, a rule
# that does not parse, an alert whose threshold no longer matches its unit test, a dashboard query
# that does not parse, an unknown metric name and a dashboard with __inputs. Each case first
# checks that the unbroken input passes, so that a rejection is the breakage's doing.
export CHART_CHECKS_LIB=1
repo="${TEST_SRCDIR:?run with bazel test}/${TEST_WORKSPACE}"
export CHART_CHECKS_REPO=$repo RESPLIT_BINARY=$repo/proxy/resplit
# shellcheck source=../../tools/chart_checks.sh
source "$repo/tools/chart_checks.sh"
require_tools || { fail "tools" "missing"; finish negative; exit 1; }
neg=$repo/tests/charts/negative
t=$TEST_TMPDIR/negative
mkdir -p "$t"

expect() {  # NAME GOOD_COMMAND BAD_COMMAND [MESSAGE]: the good one passes, the bad one fails (saying MESSAGE)
  local name=$1
  if ! eval "$2" > "$t/good.out" 2>&1; then cat "$t/good.out"; fail "$name" "the unbroken input fails too"; return; fi
  if eval "$3" > "$t/bad.out" 2>&1; then cat "$t/bad.out"; fail "$name" "the broken input was accepted"; return; fi
  if [ -n "${4:-}" ] && ! grep -qF -- "$4" "$t/bad.out"; then
    cat "$t/bad.out"; fail "$name" "rejected without saying: $4"; return
  fi
  echo "  rejected with: $(grep -v '^\s*$' "$t/bad.out" | head -3 | tr '\n' ' ' | cut -c1-300)"
  pass "$name"
}
fresh_chart() {  # a writable copy of charts/resplit in $t/$1
  rm -rf "${t:?}/$1" && cp -rL "$repo/charts/resplit" "$t/$1" && echo "$t/$1"
}

good=$(fresh_chart good)
default_values=$good/ci/default-values.yaml

bad=$(fresh_chart broken-template)
cp "$neg/broken-template.yaml" "$bad/templates/broken.yaml"
expect "helm lint rejects a broken template" \
  "lint_chart $good $default_values 1.33.0" "lint_chart $bad $default_values 1.33.0"
expect "helm template rejects a broken template" \
  "render_chart $good $default_values 1.33.0 $t/good.yaml" "render_chart $bad $default_values 1.33.0 $t/bad.yaml"

bad=$(fresh_chart misspelt-key)
sed -i 's/imagePullPolicy:/imagePullPolicyy:/' "$bad/templates/deployment.yaml"
golden=$repo/tests/charts/golden/resplit/default-values.kube-1.33.0.yaml
expect "the golden snapshot rejects a misspelt key the schemas let through" \
  "render_chart $good $default_values 1.33.0 $t/g.yaml && validate_objects $t/g.yaml && diff -q $golden $t/g.yaml" \
  "render_chart $bad $default_values 1.33.0 $t/b.yaml && validate_objects $t/b.yaml && diff -q $golden $t/b.yaml"

bad=$(fresh_chart wrong-type)
sed -i 's/replicas: {{ .Values.replicaCount }}/replicas: "{{ .Values.replicaCount }}"/' "$bad/templates/deployment.yaml"
expect "the Kubernetes schema rejects a wrong type" \
  "render_chart $good $default_values 1.28.0 $t/g.yaml && validate_objects $t/g.yaml" \
  "render_chart $bad $default_values 1.28.0 $t/b.yaml && validate_objects $t/b.yaml"

printf 'config:\n  routing:\n    read_policy: replicas-first\n' > "$t/bad-values.yaml"
expect "values.schema.json rejects a read_policy outside its enum" \
  "lint_chart $good $default_values 1.29.0" "lint_chart $good $t/bad-values.yaml 1.29.0"

expect "the Kubernetes schema rejects extensions/v1beta1" \
  "render_chart $good $default_values 1.33.0 $t/g.yaml && validate_objects $t/g.yaml" \
  "sed 's#apps/v1#extensions/v1beta1#' $t/g.yaml > $t/b.yaml && validate_objects $t/b.yaml"

charts=$(charts_copy)
guestbook=$charts/examples/guestbook
printf 'resplit:\n  native: maybe\n' > "$t/bad-native.yaml"
expect "the sidecar library rejects native other than auto, true or false" \
  "render_chart $guestbook $guestbook/ci/sidecar-values.yaml 1.29.0 $t/g.yaml" \
  "render_chart $guestbook $t/bad-native.yaml 1.29.0 $t/b.yaml"

tls_values=$good/ci/tls-values.yaml
sed 's/existingSecret: resplit-tls/existingSecret: ""/' "$tls_values" > "$t/tls-no-secret.yaml"
expect "the resplit chart refuses tls.client.enabled without a Secret, naming the key" \
  "render_chart $good $tls_values 1.33.0 $t/g.yaml" \
  "grep -q 'existingSecret: \"\"' $t/tls-no-secret.yaml && render_chart $good $t/tls-no-secret.yaml 1.33.0 $t/b.yaml" \
  "tls.client.existingSecret is required when tls.client.enabled is true"

sed 's/    verifyClient: true/    verifyClients: true/' "$tls_values" > "$t/tls-misspelt.yaml"
expect "values.schema.json rejects a misspelt TLS key" \
  "lint_chart $good $tls_values 1.33.0" "lint_chart $good $t/tls-misspelt.yaml 1.33.0" "verifyClients"

printf 'resplit:\n  tls:\n    backend: {enabled: true, caSecret: redis-ca}\n    client: {enabled: true}\n' > "$t/sidecar-tls-no-secret.yaml"
expect "the sidecar library refuses resplit.tls.client.enabled without a Secret, naming the key" \
  "render_chart $guestbook $guestbook/ci/sidecar-tls-values.yaml 1.33.0 $t/g.yaml" \
  "render_chart $guestbook $t/sidecar-tls-no-secret.yaml 1.33.0 $t/b.yaml" \
  "resplit.tls.client.existingSecret is required"

# The config check really loads the certificates it is given: a key of another pair is refused.
binary=$RESPLIT_BINARY
mkdir -p "$t/tls-config"
render_chart "$good" "$tls_values" 1.33.0 "$t/tls-config/rendered.yaml" &&
  "$py" "$repo/tests/charts/extract_configs.py" "$t/tls-config/rendered.yaml" "$t/tls-config/c"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=other \
  -keyout "$t/tls-config/other.key" -out "$t/tls-config/other.crt" 2>/dev/null
sed "s#key_file: .*#key_file: $t/tls-config/other.key#" "$t/tls-config/c-resplit-ci.yaml" > "$t/tls-config/bad.yaml"
expect "resplit --check-config refuses a rendered TLS config whose key is not its certificate's" \
  "$binary --check-config $t/tls-config/c-resplit-ci.yaml" \
  "grep -q other.key $t/tls-config/bad.yaml && $binary --check-config $t/tls-config/bad.yaml" \
  "is not the key of the certificate"

rules=$repo/charts/resplit/rules/resplit.rules.yaml
expect "promtool check rules rejects an expression that does not parse" \
  "check_rules_file $rules" "check_rules_file $neg/broken-syntax.rules.yaml"

mkdir -p "$t/rules/tests/charts/rules" "$t/rules/charts/resplit/rules"
cp "$repo/tests/charts/rules/resplit_alerts_test.yaml" "$t/rules/tests/charts/rules/"
sed 's/(resplit_replication_lag_seconds) > 5$/(resplit_replication_lag_seconds) > 50/' "$rules" \
  > "$t/rules/charts/resplit/rules/resplit.rules.yaml"
expect "promtool test rules rejects an alert whose threshold was broken" \
  "test_rules_file $repo/tests/charts/rules/resplit_alerts_test.yaml" \
  "! cmp -s $rules $t/rules/charts/resplit/rules/resplit.rules.yaml && test_rules_file $t/rules/tests/charts/rules/resplit_alerts_test.yaml"

dashboard=$repo/charts/resplit/dashboards/resplit.json
edit_dashboard() {  # PYTHON_STATEMENT_ON_d OUT
  "$py" -c "import json, sys; d = json.load(open(sys.argv[1])); $1; json.dump(d, open(sys.argv[2], 'w'))" "$dashboard" "$2"
}
edit_dashboard 'p = d["panels"][1]; p["targets"][0]["expr"] = p["targets"][0]["expr"][:-1]' "$t/unclosed.json"
expect "the dashboard PromQL check rejects a query that does not parse" \
  "check_dashboard_promql $dashboard" "check_dashboard_promql $t/unclosed.json"

known_metrics > /dev/null
edit_dashboard 'p = d["panels"][5]; p["targets"][0]["expr"] = p["targets"][0]["expr"].replace("resplit_replication_lag_seconds", "resplit_replica_lag_secs")' "$t/unknown.json"
expect "the metric name check rejects a name resplit does not export" \
  "check_metric_names $dashboard $rules" "grep -q resplit_replica_lag_secs $t/unknown.json && check_metric_names $t/unknown.json $rules"
sed 's/resplit_replication_link_up)/resplit_replication_link_is_up)/' "$rules" > "$t/unknown.rules.yaml"
expect "the metric name check rejects an unknown name in an alert" \
  "check_metric_names $rules" "check_metric_names $t/unknown.rules.yaml"

edit_dashboard 'd["__inputs"] = [{"name": "DS_PROMETHEUS", "type": "datasource", "pluginId": "prometheus"}]; d["panels"][1]["datasource"] = {"uid": "${DS_PROMETHEUS}"}' "$t/inputs.json"
expect "the dashboard structure check rejects __inputs and a fixed data source" \
  "check_dashboard_structure $dashboard" "check_dashboard_structure $t/inputs.json"

finish negative
