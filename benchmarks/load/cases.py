"""The load cases and one redis-benchmark run of a case against one system."""
import csv
import io
import subprocess
from dataclasses import dataclass

KEYS = 10000  # redis-benchmark's key:__rand_int__ space; every key is loaded before GET cases


@dataclass(frozen=True)
class Case:
    name: str
    command: str  # get, set or mix (90% GET, 10% SET)
    size: int  # value bytes
    clients: int
    pipeline: int
    requests: int  # in quick mode; the full mode runs more


CASES = [
    Case("GET 64 B", "get", 64, 50, 1, 60000),
    Case("SET 64 B", "set", 64, 50, 1, 60000),
    Case("GET 64 B, pipeline 16", "get", 64, 50, 16, 600000),
    Case("SET 64 B, pipeline 16", "set", 64, 50, 16, 600000),
    Case("90/10 GET/SET 64 B", "mix", 64, 50, 1, 60000),
    Case("GET 64 B, 1 client", "get", 64, 1, 1, 10000),
    Case("GET 4 KiB", "get", 4096, 50, 1, 40000),
    Case("GET 4 KiB, pipeline 16", "get", 4096, 50, 16, 300000),
]


@dataclass
class Result:
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float


def _benchmark(port, command, size, clients, pipeline, requests, timeout_s):
    argv = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-t", command,
            "-d", str(size), "-c", str(clients), "-P", str(pipeline), "-n", str(requests),
            "-r", str(KEYS), "--csv"]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True), \
        timeout_s


def _collect(started):
    popen, timeout_s = started
    try:
        out, err = popen.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        popen.kill()
        popen.communicate()
        raise RuntimeError("redis-benchmark did not finish in time")
    rows = [r for r in csv.reader(io.StringIO(out)) if r and r[0] != "test"]
    if popen.returncode != 0 or not rows:
        raise RuntimeError(f"redis-benchmark failed: {err.strip() or out.strip()}")
    row = rows[-1]
    return float(row[1]), float(row[4]), float(row[6])  # rps, p50, p99


def run(case, port, scale, timeout_s=120):
    """One run of `case` against the server on `port`; `scale` multiplies its request count."""
    n = case.requests * scale
    if case.command != "mix":
        rps, p50, p99 = _collect(_benchmark(port, case.command, case.size, case.clients,
                                            case.pipeline, n, timeout_s))
        return Result(n, rps, p50, p99)
    # redis-benchmark runs one command per process: 45 clients reading beside 5 writing.
    reads = _benchmark(port, "get", case.size, case.clients * 9 // 10, case.pipeline,
                       n * 9 // 10, timeout_s)
    writes = _benchmark(port, "set", case.size, case.clients // 10, case.pipeline, n // 10,
                        timeout_s)
    get_rps, p50, p99 = _collect(reads)
    set_rps, _, _ = _collect(writes)
    return Result(n, get_rps + set_rps, p50, p99)


def preload(port, size):
    """Writes every key of the key space with a value of `size` bytes, straight to the master."""
    subprocess.run(["redis-cli", "-p", str(port), "FLUSHALL"], check=True, timeout=30,
                   capture_output=True)
    # Enough random SETs that the whole space is covered (the chance to miss a key is e^-30).
    _collect(_benchmark(port, "set", size, 20, 64, KEYS * 30, 120))
