#!/usr/bin/env bash
# Runs checks of tools/chart_checks.sh (named as arguments) on the files Bazel puts in runfiles.
# The tools must already be installed (tools/chart_tools.sh, which tools/test_all.sh runs).
repo="${TEST_SRCDIR:?run with bazel test}/${TEST_WORKSPACE}"
export CHART_CHECKS_REPO=$repo RESPLIT_BINARY=$repo/proxy/resplit
exec "$repo/tools/chart_checks.sh" --no-install "$@"
