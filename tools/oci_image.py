#!/usr/bin/env python3
"""Assembles resplit's container image as an OCI image layout, offline, without a container engine.

  tools/oci_image.py BINARY OUT_DIR [--tag TAG]

The image has one layer: the binary at /usr/local/bin/resplit, the shared libraries it loads (found
with ldd on this Debian 12 machine, so they are the same ones the Dockerfile's slim Debian runtime
installs), the dynamic loader, the CA bundle, /etc/passwd and /etc/group with the non-root user
65532, an nsswitch.conf that reads /etc/hosts first (Kubernetes hostAliases), and an empty /tmp. The
config runs as 65532:65532 with resplit as entrypoint, like the Dockerfile. The layer is
reproducible: sorted entries, zero times, root ownership, gzip without a name or time.

OUT_DIR gets oci-layout, index.json and blobs/sha256/: load it with `skopeo copy oci:OUT_DIR ...` or
`podman load`, or push it with `crane push OUT_DIR`.
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile

USER = "65532"
PORTS = ["6379/tcp", "9126/tcp"]  # Redis clients; the charts' admin port (/metrics /healthz /readyz)
LIB_DIR = "usr/lib/x86_64-linux-gnu"


def shared_libraries(binary):
    """(soname, resolved host path) of every library ldd finds, the dynamic loader included."""
    out = subprocess.run(["ldd", binary], check=True, capture_output=True, text=True).stdout
    libs = []
    for line in out.splitlines():
        parts = line.split()
        if "=>" in parts:
            name, path = parts[0], parts[2]
            if path == "not" or not path.startswith("/"):
                raise SystemExit(f"oci_image: {binary} needs {name}, which ldd cannot find")
            libs.append((name, os.path.realpath(path)))
        elif parts and parts[0].startswith("/"):  # the loader, e.g. /lib64/ld-linux-x86-64.so.2
            libs.append((os.path.basename(parts[0]), os.path.realpath(parts[0])))
    return libs


def text_file(content, mode=0o644):
    return content.encode(), mode


def layer_entries(binary):
    """path in the image -> ("dir", mode) | ("symlink", target) | (bytes, mode)."""
    entries = {}
    for d in ("etc", "etc/resplit", "etc/ssl", "etc/ssl/certs", "usr", "usr/lib", LIB_DIR,
              "usr/lib64", "usr/local", "usr/local/bin"):
        entries[d] = ("dir", 0o755)
    entries["tmp"] = ("dir", 0o1777)
    # Debian 12's merged /usr: /lib and /lib64 are links, as the loader path in the binary expects.
    entries["lib"] = ("symlink", "usr/lib")
    entries["lib64"] = ("symlink", "usr/lib64")
    with open(binary, "rb") as f:
        entries["usr/local/bin/resplit"] = (f.read(), 0o755)
    for soname, path in shared_libraries(binary):
        with open(path, "rb") as f:
            entries[f"{LIB_DIR}/{soname}"] = (f.read(), 0o755)
        if soname.startswith("ld-linux"):
            entries[f"usr/lib64/{soname}"] = ("symlink", f"../lib/x86_64-linux-gnu/{soname}")
    ca = "/etc/ssl/certs/ca-certificates.crt"
    if os.path.exists(ca):
        with open(ca, "rb") as f:
            entries["etc/ssl/certs/ca-certificates.crt"] = (f.read(), 0o644)
    entries["etc/passwd"] = text_file(
        f"root:x:0:0:root:/root:/usr/sbin/nologin\nresplit:x:{USER}:{USER}:resplit:/tmp:/usr/sbin/nologin\n")
    entries["etc/group"] = text_file(f"root:x:0:\nresplit:x:{USER}:\n")
    entries["etc/nsswitch.conf"] = text_file("hosts: files dns\npasswd: files\ngroup: files\n")
    return entries


def layer_tar(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(entries):
            kind, arg = entries[path]
            info = tarfile.TarInfo(path)
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "root", "root"
            if kind == "dir":
                info.type, info.mode = tarfile.DIRTYPE, arg
                tar.addfile(info)
            elif kind == "symlink":
                info.type, info.linkname, info.mode = tarfile.SYMTYPE, arg, 0o777
                tar.addfile(info)
            else:
                info.size, info.mode = len(kind), arg
                tar.addfile(info, io.BytesIO(kind))
    return buf.getvalue()


def write_blob(out, data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(out, "blobs", "sha256", digest), "wb") as f:
        f.write(data)
    return f"sha256:{digest}", len(data)


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary")
    parser.add_argument("out")
    parser.add_argument("--tag", default="latest")
    args = parser.parse_args()
    os.makedirs(os.path.join(args.out, "blobs", "sha256"), exist_ok=True)

    tar = layer_tar(layer_entries(args.binary))
    layer_gz = gzip.compress(tar, mtime=0)
    layer_digest, layer_size = write_blob(args.out, layer_gz)
    config = {
        "architecture": "amd64",
        "os": "linux",
        "created": "1970-01-01T00:00:00Z",
        "config": {
            "User": f"{USER}:{USER}",
            "Entrypoint": ["/usr/local/bin/resplit"],
            "Cmd": ["--config", "/etc/resplit/resplit.yaml"],
            "ExposedPorts": {p: {} for p in PORTS},
            "Env": ["PATH=/usr/local/bin:/usr/bin:/bin"],
            "WorkingDir": "/tmp",
            "Labels": {"org.opencontainers.image.title": "resplit",
                       "org.opencontainers.image.description": "Redis read/write-splitting proxy"},
        },
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(tar).hexdigest()]},
        "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "tools/oci_image.py"}],
    }
    config_digest, config_size = write_blob(args.out, canonical(config))
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": config_digest, "size": config_size},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": layer_digest, "size": layer_size}],
    }
    manifest_digest, manifest_size = write_blob(args.out, canonical(manifest))
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": manifest_digest, "size": manifest_size,
                       "platform": {"architecture": "amd64", "os": "linux"},
                       "annotations": {"org.opencontainers.image.ref.name": args.tag}}],
    }
    with open(os.path.join(args.out, "index.json"), "wb") as f:
        f.write(canonical(index))
    with open(os.path.join(args.out, "oci-layout"), "wb") as f:
        f.write(canonical({"imageLayoutVersion": "1.0.0"}))
    print(f"{args.out}: {manifest_digest} (layer {layer_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
