#!/usr/bin/env bash
# Installs everything resplit needs to build, test and run its demo on Debian 12, from Debian's
# packages only. Idempotent: does nothing when every package is already there.
set -euo pipefail

packages=(
  # toolchain and build
  bazel-bootstrap bazel-platforms g++ git python3 python3-yaml ca-certificates
  # libraries (headers and link libraries)
  libboost1.81-dev libboost-system1.81-dev libboost-json1.81-dev
  libhiredis-dev prometheus-cpp-dev libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # real Redis for the tests and the demo
  redis-server redis-tools redis-sentinel
  # libFuzzer and the sanitizer runtimes (tools/fuzz.sh)
  clang-14 libclang-rt-14-dev
  # the baseline proxy of the load benchmarks (benchmarks/load)
  nutcracker
  # network namespaces, packet filters and traffic shaping for the partition tests, and a faked
  # wall clock for the clock-jump test (tests/chaos)
  iproute2 nftables faketime
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install_deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install_deps: done"
