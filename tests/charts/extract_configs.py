#!/usr/bin/env python3
"""Writes the resplit.yaml of every ConfigMap in a rendered manifest to PREFIX-<name>.yaml.

Secrets exist in the pod only: each `{file: ...}` secret reference is pointed at a stand-in file
beside the output, so `resplit --check-config` checks everything else without them.
"""
import os
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


def main(rendered, prefix):
    for doc in yaml.safe_load_all(open(rendered)):
        if not doc or doc.get("kind") != "ConfigMap" or "resplit.yaml" not in doc.get("data", {}):
            continue
        config = yaml.safe_load(doc["data"]["resplit.yaml"])
        stand_in_secrets(config, os.path.dirname(os.path.abspath(prefix)))
        with open(f'{prefix}-{doc["metadata"]["name"]}.yaml', "w") as f:
            yaml.safe_dump(config, f, sort_keys=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
