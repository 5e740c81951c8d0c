#!/usr/bin/env bash
# Puts Prometheus's promtool where the metrics lint test looks for it (/tmp/resplit-promtool), taken
# from Debian's prometheus package with `apt-get download` + `dpkg-deb -x`: nothing is installed.
set -euo pipefail

dest="${RESPLIT_PROMTOOL_DIR:-/tmp/resplit-promtool}"
if [ -x "$dest/usr/bin/promtool" ]; then
  echo "get_promtool: $dest/usr/bin/promtool present"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download prometheus >/dev/null 2>&1) || {
  echo "get_promtool: apt-get download prometheus failed; the promtool test will skip" >&2
  exit 0
}
mkdir -p "$dest"
dpkg-deb -x "$work"/prometheus_*.deb "$dest"
echo "get_promtool: $dest/usr/bin/promtool"
