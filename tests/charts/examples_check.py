#!/usr/bin/env python3
"""Checks a render of charts/examples/guestbook: the origin's Redis objects, and the application
reaching Redis through resplit.

  examples_check.py RENDERED.yaml sidecar|classic-sidecar|standalone KUBE_VERSION
"""
import sys

import yaml

BACKEND = {"app": "redis", "role": "master", "tier": "backend"}


def main(path, mode, kube):
    objs = [d for d in yaml.safe_load_all(open(path)) if d]
    errors = []
    by = {(o["kind"], o["metadata"]["name"]): o for o in objs}

    def expect(cond, message):
        if not cond:
            errors.append(message)

    for o in objs:
        expect(o["apiVersion"] not in ("extensions/v1beta1", "apps/v1beta1", "apps/v1beta2"),
               f'{o["kind"]}/{o["metadata"]["name"]} uses {o["apiVersion"]}')
        if o["kind"] == "Deployment":
            expect(o["apiVersion"] == "apps/v1", f'Deployment {o["metadata"]["name"]} is not apps/v1')

    master_svc = by.get(("Service", "redis-master"))
    expect(master_svc is not None, "no Service redis-master")
    if master_svc:
        expect(master_svc["metadata"]["labels"] == BACKEND, f'redis-master labels {master_svc["metadata"]["labels"]}')
        expect(master_svc["spec"]["selector"] == BACKEND, "redis-master selects other pods")
        expect([p["port"] for p in master_svc["spec"]["ports"]] == [6379], "redis-master is not on 6379")
    master = by.get(("Deployment", "redis-master"))
    expect(master is not None and master["spec"]["replicas"] == 1, "no redis-master Deployment with one pod")
    if master:
        expect(master["spec"]["template"]["metadata"]["labels"] == BACKEND, "master pod labels")
    headless = by.get(("Service", "redis-replicas-headless"))
    expect(headless is not None and headless["spec"].get("clusterIP") == "None", "no headless replica Service")
    replica = by.get(("Deployment", "redis-replica"))
    expect(replica is not None, "no replica Deployment")
    if replica:
        args = replica["spec"]["template"]["spec"]["containers"][0]["args"]
        expect(args[:3] == ["--replicaof", "redis-master", "6379"] and "--replica-read-only" in args,
               f"replicas do not replicate read-only from redis-master: {args}")

    pod = by[("Deployment", "frontend")]["spec"]["template"]["spec"]
    containers, inits = pod["containers"], pod.get("initContainers") or []
    app = next(c for c in containers if c["name"] == "php-redis")
    env = {e["name"]: e["value"] for e in app["env"]}
    if mode == "standalone":
        expect(not any(c["name"] == "resplit" for c in containers + inits), "a sidecar in standalone mode")
        proxy = by.get(("Service", "resplit-ci-proxy"))
        expect(proxy is not None and proxy["spec"]["ports"][0]["port"] == 6379, "no proxy Service on 6379")
        expect(env["REDIS_MASTER_SERVICE_HOST"] == env["REDIS_SLAVE_SERVICE_HOST"] == "resplit-ci-proxy",
               f"the application does not use the proxy Service: {env}")
    else:
        native = mode == "sidecar" and kube >= "1.29"
        if native:
            sidecar = next((c for c in inits if c["name"] == "resplit"), None)
            expect(sidecar is not None and sidecar.get("restartPolicy") == "Always",
                   f"no native sidecar at {kube}")
            expect(sidecar is None or "startupProbe" in sidecar, "the native sidecar has no startupProbe")
        else:
            sidecar = containers[0] if containers[0]["name"] == "resplit" else None
            expect(sidecar is not None, f"resplit is not the first container at {kube} ({mode})")
            expect(not any(c["name"] == "resplit" for c in inits), "resplit also in initContainers")
            expect(sidecar is None or "postStart" in sidecar.get("lifecycle", {}), "classic sidecar without postStart")
        expect(env["REDIS_MASTER_SERVICE_HOST"] == env["REDIS_SLAVE_SERVICE_HOST"] == "127.0.0.1"
               and env["REDIS_MASTER_SERVICE_PORT"] == "6379", f"the application does not use localhost:6379: {env}")
        cm = by.get(("ConfigMap", "resplit-ci-resplit"))
        expect(cm is not None, "no sidecar ConfigMap")
        if cm:
            config = yaml.safe_load(cm["data"]["resplit.yaml"])
            expect(config["listen"]["address"] == "127.0.0.1:6379", f'resplit listens on {config["listen"]}')
            expect(config["master"]["address"].startswith("redis-master."),
                   "the sidecar's master address would match its own hostAliases")
        volumes = [v["name"] for v in pod.get("volumes", [])]
        expect("resplit-config" in volumes, "no resplit-config volume")
    for e in errors:
        print(f"{path}: {e}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
