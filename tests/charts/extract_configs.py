#!/usr/bin/env python3
"""Writes the resplit.yaml of every ConfigMap in a rendered manifest to PREFIX-<name>.yaml.

Secrets exist in the pod only: each `{file: ...}` secret reference, and each certificate, key and
CA file of client_tls and server_tls, is pointed at a stand-in file beside the output, so
`resplit --check-config` checks everything else without them. The stand-in certificate is a
self-signed one made here with openssl (it serves as its own CA).
"""
import os
import subprocess
import sys

import yaml


def stand_in_secrets(node, out_dir):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "password" and isinstance(value, dict) and "file" in value:
                stand_in = os.path.join(out_dir, "secret-" + os.path.basename(value["file"]))
                with open(stand_in, "w") as f:
                    f.write("stand-in-password\n")
                value["file"] = stand_in
            else:
                stand_in_secrets(value, out_dir)
    elif isinstance(node, list):
        for item in node:
            stand_in_secrets(item, out_dir)


def stand_in_certificate(out_dir):
    """A key and a self-signed certificate for it, made once per directory."""
    cert = os.path.join(out_dir, "stand-in.crt")
    key = os.path.join(out_dir, "stand-in.key")
    if not os.path.exists(cert):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                        "-subj", "/CN=resplit-stand-in", "-keyout", key, "-out", cert],
                       check=True, capture_output=True)
    return {"cert_file": cert, "key_file": key, "ca_file": cert}


def stand_in_tls_files(config, out_dir):
    for section in ("client_tls", "server_tls"):
        settings = config.get(section) or {}
        for key in ("cert_file", "key_file", "ca_file"):
            if settings.get(key):
                settings[key] = stand_in_certificate(out_dir)[key]


def main(rendered, prefix):
    for doc in yaml.safe_load_all(open(rendered)):
        if not doc or doc.get("kind") != "ConfigMap" or "resplit.yaml" not in doc.get("data", {}):
            continue
        config = yaml.safe_load(doc["data"]["resplit.yaml"])
        out_dir = os.path.dirname(os.path.abspath(prefix))
        stand_in_secrets(config, out_dir)
        stand_in_tls_files(config, out_dir)
        with open(f'{prefix}-{doc["metadata"]["name"]}.yaml', "w") as f:
            yaml.safe_dump(config, f, sort_keys=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
