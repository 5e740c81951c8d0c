#!/usr/bin/env python3
"""Builds the OCI image layout with tools/oci_image.py from the built resplit binary and checks
it: the layout files, every digest and size, the config (non-root user, entrypoint, the exposed
ports the charts and the Dockerfile use), and a layer that holds the binary with every shared
library it needs, so that the binary runs on the layer's libraries and loader alone.

One case per check; JUnit XML goes to $XML_OUTPUT_FILE for Bazel's count.
"""
import gzip
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
from xml.sax.saxutils import quoteattr

ROOT = os.path.join(os.environ.get("TEST_SRCDIR", ""), os.environ.get("TEST_WORKSPACE", ""))
TMP = os.environ.get("TEST_TMPDIR", "/tmp")
BINARY = os.path.join(ROOT, "proxy/resplit")
LIB_DIR = "usr/lib/x86_64-linux-gnu"
results = []


def check(name):
    def run(fn):
        try:
            fn()
            results.append((name, None))
            print(f"PASS {name}")
        except Exception as e:  # a failed assertion or a missing file alike
            results.append((name, f"{type(e).__name__}: {e}"))
            print(f"FAIL {name}: {type(e).__name__}: {e}")
    return run


def blob(layout, digest):
    algorithm, hexdigest = digest.split(":")
    with open(os.path.join(layout, "blobs", algorithm, hexdigest), "rb") as f:
        return f.read()


layout = os.path.join(TMP, "oci")
subprocess.run([sys.executable, os.path.join(ROOT, "tools/oci_image.py"), BINARY, layout, "--tag", "test"],
               check=True)
state = {}


@check("oci-layout and index.json")
def _():
    assert json.load(open(os.path.join(layout, "oci-layout"))) == {"imageLayoutVersion": "1.0.0"}
    index = json.load(open(os.path.join(layout, "index.json")))
    assert index["schemaVersion"] == 2 and len(index["manifests"]) == 1, index
    desc = index["manifests"][0]
    assert desc["mediaType"] == "application/vnd.oci.image.manifest.v1+json", desc
    assert desc["platform"] == {"architecture": "amd64", "os": "linux"}, desc
    assert desc["annotations"]["org.opencontainers.image.ref.name"] == "test", desc
    state["manifest_desc"] = desc


@check("every blob matches its digest and size")
def _():
    desc = state["manifest_desc"]
    manifest_bytes = blob(layout, desc["digest"])
    assert len(manifest_bytes) == desc["size"]
    manifest = json.loads(manifest_bytes)
    assert manifest["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    for d in [manifest["config"]] + manifest["layers"]:
        data = blob(layout, d["digest"])
        assert "sha256:" + hashlib.sha256(data).hexdigest() == d["digest"], d
        assert len(data) == d["size"], d
    assert manifest["layers"][0]["mediaType"] == "application/vnd.oci.image.layer.v1.tar+gzip"
    for name in os.listdir(os.path.join(layout, "blobs/sha256")):
        assert hashlib.sha256(blob(layout, "sha256:" + name)).hexdigest() == name
    state["manifest"] = manifest
    state["config"] = json.loads(blob(layout, manifest["config"]["digest"]))
    state["layer_tar"] = gzip.decompress(blob(layout, manifest["layers"][0]["digest"]))


@check("config: non-root user, resplit as entrypoint, Redis and admin ports, diff_id")
def _():
    config = state["config"]
    c = config["config"]
    user, group = c["User"].split(":")
    assert int(user) != 0 and int(group) != 0, c["User"]
    assert c["Entrypoint"] == ["/usr/local/bin/resplit"], c
    assert set(c["ExposedPorts"]) == {"6379/tcp", "9126/tcp"}, c["ExposedPorts"]
    assert config["os"] == "linux" and config["architecture"] == "amd64"
    assert config["rootfs"]["diff_ids"] == ["sha256:" + hashlib.sha256(state["layer_tar"]).hexdigest()]


@check("the charts and the Dockerfile use the image's user and ports")
def _():
    c = state["config"]["config"]
    values = open(os.path.join(ROOT, "charts/resplit/values.yaml")).read()
    ports = re.search(r"containerPorts:\n\s+## .*\n\s+redis: (\d+)\n\s+## .*\n\s+metrics: (\d+)", values)
    assert ports and {f"{ports.group(1)}/tcp", f"{ports.group(2)}/tcp"} == set(c["ExposedPorts"]), ports
    assert f"runAsUser: {c['User'].split(':')[0]}" in values
    dockerfile = open(os.path.join(ROOT, "Dockerfile")).read()
    assert f"USER {c['User']}" in dockerfile
    assert "EXPOSE " + " ".join(sorted(c["ExposedPorts"])) in dockerfile
    assert 'ENTRYPOINT ["/usr/local/bin/resplit"]' in dockerfile
    assert re.search(r"^FROM debian:12-slim$", dockerfile, re.M) and re.search(r"^FROM debian:12 AS build$", dockerfile, re.M)


@check("layer: the binary, every library ldd lists, the loader, /tmp, the non-root user")
def _():
    tar = tarfile.open(fileobj=io.BytesIO(state["layer_tar"]))
    members = {m.name: m for m in tar.getmembers()}
    print("  layer:", ", ".join(sorted(members)))
    binary = members["usr/local/bin/resplit"]
    assert binary.isfile() and binary.mode == 0o755 and binary.uid == 0 and binary.mtime == 0
    ldd = subprocess.run(["ldd", BINARY], check=True, capture_output=True, text=True).stdout
    sonames = re.findall(r"^\s*(\S+\.so[.\d]*) =>", ldd, re.M)
    assert "libhiredis.so.0.14" in sonames and "libc.so.6" in sonames, sonames
    for soname in sonames + ["ld-linux-x86-64.so.2"]:
        assert members[f"{LIB_DIR}/{soname}"].isfile(), soname
    assert members["lib64"].issym() and members["lib64"].linkname == "usr/lib64"
    assert members["usr/lib64/ld-linux-x86-64.so.2"].linkname == "../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
    assert members["tmp"].isdir() and members["tmp"].mode == 0o1777
    passwd = tar.extractfile("etc/passwd").read().decode()
    assert ":65532:65532:" in passwd, passwd
    tar.extractall(os.path.join(TMP, "rootfs"))


@check("every library the layer's ELF files need is in the layer")
def _():
    rootfs = os.path.join(TMP, "rootfs")
    present = set(os.listdir(os.path.join(rootfs, LIB_DIR)))
    for path in [os.path.join(rootfs, "usr/local/bin/resplit")] + [os.path.join(rootfs, LIB_DIR, p) for p in present]:
        dynamic = subprocess.run(["readelf", "-d", path], check=True, capture_output=True, text=True).stdout
        for needed in re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", dynamic):
            assert needed in present, f"{os.path.basename(path)} needs {needed}"


@check("the binary runs on the layer's loader and libraries")
def _():
    rootfs = os.path.join(TMP, "rootfs")
    loader = os.path.join(rootfs, LIB_DIR, "ld-linux-x86-64.so.2")
    out = subprocess.run([loader, "--inhibit-cache", "--library-path", os.path.join(rootfs, LIB_DIR),
                          os.path.join(rootfs, "usr/local/bin/resplit"), "--version"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    print("  " + out.stdout.strip().splitlines()[0])


failed = sum(1 for _, error in results if error)
if os.environ.get("XML_OUTPUT_FILE"):
    with open(os.environ["XML_OUTPUT_FILE"], "w") as f:
        f.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites><testsuite name="oci_image" '
                f'tests="{len(results)}" failures="{failed}">\n')
        for name, error in results:
            f.write(f'<testcase classname="oci_image" name={quoteattr(name)}>')
            if error:
                f.write(f"<failure message={quoteattr(error)}/>")
            f.write("</testcase>\n")
        f.write("</testsuite></testsuites>\n")
print(f"{len(results) - failed} passed, {failed} failed")
sys.exit(1 if failed or not results else 0)
