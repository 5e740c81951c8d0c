#!/usr/bin/env bash
# Debian's python3 (the one tools/install_deps.sh installs) runs the check.
py=/usr/bin/python3; [ -x "$py" ] || py=python3
exec "$py" "$TEST_SRCDIR/$TEST_WORKSPACE/tests/image/oci_image_test.py" "$@"
