#!/usr/bin/env python3
"""Load benchmark: redis-benchmark against direct Redis, resplit and nutcracker in one interleaved
run (every repetition runs every case against every system in turn, so drift in the machine hits
all of them alike). Reports medians, the ratio to direct Redis, the proxies' CPU time per request
from procfs, their memory, and which Redis node served the GETs.

  benchmarks/load/run.py            quick mode, 3 repetitions (a few minutes)
  benchmarks/load/run.py --full     5 repetitions with 4x the requests
"""
import argparse
import datetime
import os
import platform
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cases as cases_mod  # noqa: E402
import report  # noqa: E402
from servers import Systems, redis_cli  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def build_resplit():
    subprocess.run(["bazel", "build", "--color=no", "--curses=no", "-c", "opt", "//proxy:resplit"],
                   cwd=ROOT, check=True)
    bin_dir = subprocess.run(["bazel", "info", "-c", "opt", "bazel-bin"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.strip()
    return os.path.join(bin_dir, "proxy", "resplit")


def machine_lines(args, resplit_bin):
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break

    def version(argv):
        out = subprocess.run(argv, capture_output=True, text=True)
        return (out.stdout + out.stderr).strip().splitlines()[0]

    return [
        f"# Load benchmark, {'full' if args.full else 'quick'} mode, "
        f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        "",
        f"- machine: {os.cpu_count()} CPUs ({cpu}), Linux {platform.release()}",
        f"- {version(['redis-server', '--version']).split(' sha')[0]}; "
        f"{version(['redis-benchmark', '--version'])}; "
        f"{version(['nutcracker', '--version'])}",
        f"- {version([resplit_bin, '--version'])}, {args.workers} worker thread(s), "
        "reads to two replicas; nutcracker fronts the master alone (it cannot split reads)",
        f"- {args.reps} repetitions, interleaved; figures are medians. 90/10 mix: 45 GET clients "
        "beside 5 SET clients, ops/s summed, latency of the GETs",
    ]


def reads_by_node(systems, before):
    after = {p: systems.get_calls(p) for p in [systems.master, *systems.replicas]}
    deltas = [after[p] - before[p] for p in after]
    total = sum(deltas)
    if total == 0:
        return ""
    names = ["master", "replica 1", "replica 2"]
    return ", ".join(f"{n} {100 * d / total:.0f}%" for n, d in zip(names, deltas))


def measure(systems, case, system, scale):
    proxy = systems.proxy(system)
    cpu_before = proxy.cpu_seconds() if proxy else None
    nodes = [systems.master, *systems.replicas]
    calls_before = {p: systems.get_calls(p) for p in nodes}
    result = cases_mod.run(case, systems.ports[system], scale)
    cpu_us = None
    if proxy:
        cpu_us = (proxy.cpu_seconds() - cpu_before) * 1e6 / result.requests
    reads = reads_by_node(systems, calls_before) if case.command != "set" else ""
    return {"rps": result.rps, "p50_ms": result.p50_ms, "p99_ms": result.p99_ms,
            "cpu_us": cpu_us, "reads": reads}


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="5 repetitions, 4x the requests")
    parser.add_argument("--reps", type=int, help="repetitions (default 3 quick, 5 full)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="resplit worker threads (default: one per core, as resplit itself)")
    parser.add_argument("--resplit", help="resplit binary (default: build it with -c opt)")
    parser.add_argument("--out", help="directory for results.md and results.tsv")
    parser.add_argument("--case", action="append", help="run only cases whose name has this")
    args = parser.parse_args()
    args.reps = args.reps or (5 if args.full else 3)
    scale = 4 if args.full else 1
    selected = [c for c in cases_mod.CASES
                if not args.case or any(s.lower() in c.name.lower() for s in args.case)]
    resplit_bin = os.path.abspath(args.resplit) if args.resplit else build_resplit()
    started = time.monotonic()
    samples = {}
    with tempfile.TemporaryDirectory(prefix="resplit-load-") as workdir:
        systems = Systems(workdir, resplit_bin, args.workers)
        try:
            idle = {n: systems.proxy(n).status_kib("VmRSS") for n in ("resplit", "nutcracker")}
            loaded_size = None
            for rep in range(args.reps):
                for case in selected:
                    if case.command != "set" and case.size != loaded_size:
                        cases_mod.preload(systems.master, case.size)
                        redis_cli(systems.master, "WAIT", "2", "5000", timeout=10)
                        loaded_size = case.size
                    for system in report.SYSTEMS:
                        sample = measure(systems, case, system, scale)
                        samples.setdefault((case, system), []).append(sample)
                        print(f"rep {rep + 1}/{args.reps} {case.name:24} {system:10} "
                              f"{sample['rps']:>10,.0f} ops/s  p50 {sample['p50_ms']:.3f} ms",
                              flush=True)
                    if case.command == "set":
                        loaded_size = case.size  # SET cases rewrite the values
            memory = {n: (idle[n], systems.proxy(n).status_kib("VmHWM"))
                      for n in ("resplit", "nutcracker")}
        finally:
            systems.stop()
    rows = report.summarize(samples, selected)
    header = machine_lines(args, resplit_bin)
    header.append(f"- wall time {time.monotonic() - started:.0f} s")
    table = report.markdown(rows, memory, header)
    print()
    print(table)
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, "results.md"), "w") as f:
            f.write(table)
        with open(os.path.join(args.out, "results.tsv"), "w") as f:
            f.write(report.tsv(rows))


if __name__ == "__main__":
    main()
