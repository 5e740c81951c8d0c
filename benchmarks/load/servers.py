"""The processes a load run measures: a Redis master and two replicas, resplit and nutcracker, all
on loopback with free ports, each stopped by its own PID when the run ends."""
import os
import signal
import socket
import subprocess
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_cli(port, *args, timeout=5):
    out = subprocess.run(["redis-cli", "-p", str(port), *args], capture_output=True, text=True,
                         timeout=timeout)
    return out.stdout


def info_fields(port, section):
    fields = {}
    for line in redis_cli(port, "INFO", section).splitlines():
        key, sep, value = line.strip().partition(":")
        if sep:
            fields[key] = value
    return fields


def wait_until(check, what, deadline_s=20):
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            if check():
                return
        except (OSError, subprocess.TimeoutExpired):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


class Proc:
    """One child process: its PID, CPU time and peak memory from procfs."""

    def __init__(self, name, argv, workdir):
        self.name = name
        log = open(os.path.join(workdir, f"{name}.log"), "wb")
        self.popen = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=workdir)

    def cpu_seconds(self):
        with open(f"/proc/{self.popen.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime

    def status_kib(self, key):
        with open(f"/proc/{self.popen.pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)


class Systems:
    """Starts everything; `ports` maps a system name to the port its clients use."""

    def __init__(self, workdir, resplit_bin, resplit_workers):
        self.workdir = workdir
        self.procs = []
        self.master = free_port()
        self.replicas = [free_port(), free_port()]
        self.ports = {"direct": self.master}
        try:
            self._start_redis()
            self.resplit = self._start_resplit(resplit_bin, resplit_workers)
            self.nutcracker = self._start_nutcracker()
        except BaseException:
            self.stop()
            raise

    def _redis(self, port, *extra):
        d = os.path.join(self.workdir, f"redis-{port}")
        os.makedirs(d, exist_ok=True)
        self.procs.append(Proc(f"redis-{port}", [
            "redis-server", "--bind", "127.0.0.1", "--port", str(port), "--dir", d, "--save", "",
            "--appendonly", "no", "--repl-diskless-sync-delay", "0", *extra], self.workdir))
        wait_until(lambda: redis_cli(port, "PING").strip() == "PONG", f"redis on {port}")

    def _start_redis(self):
        self._redis(self.master)
        for port in self.replicas:
            self._redis(port, "--replicaof", "127.0.0.1", str(self.master))
        for port in self.replicas:
            wait_until(lambda p=port: info_fields(p, "replication").get("master_link_status") == "up",
                       f"replica {port} in sync")

    def _start_resplit(self, binary, workers):
        port = free_port()
        config = os.path.join(self.workdir, "resplit.yaml")
        replicas = ", ".join(f'"127.0.0.1:{p}"' for p in self.replicas)
        with open(config, "w") as f:
            f.write(f'listen: {{address: "127.0.0.1:{port}", workers: {workers}}}\n'
                    f'admin: {{address: "127.0.0.1:{free_port()}"}}\n'
                    f'master: {{address: "127.0.0.1:{self.master}"}}\n'
                    f'replicas: {{addresses: [{replicas}]}}\n'
                    'logging: {level: warn, format: text}\n')
        proc = Proc("resplit", [binary, "-c", config], self.workdir)
        self.procs.append(proc)
        wait_until(lambda: redis_cli(port, "PING").strip() == "PONG", "resplit")
        # Reads go to replicas once the monitor has seen them in sync.
        wait_until(lambda: self._reads_reach_replicas(port), "resplit routing reads to replicas")
        self.ports["resplit"] = port
        return proc

    def _reads_reach_replicas(self, port):
        before = sum(self.get_calls(p) for p in self.replicas)
        for _ in range(20):
            redis_cli(port, "GET", "resplit:bench:probe")
        return sum(self.get_calls(p) for p in self.replicas) > before

    def _start_nutcracker(self):
        port = free_port()
        config = os.path.join(self.workdir, "nutcracker.yml")
        # nutcracker cannot split reads from writes: it fronts the master alone.
        with open(config, "w") as f:
            f.write("bench:\n"
                    f"  listen: 127.0.0.1:{port}\n"
                    "  redis: true\n"
                    "  preconnect: true\n"
                    "  server_connections: 1\n"
                    f"  servers:\n    - 127.0.0.1:{self.master}:1\n")
        proc = Proc("nutcracker", ["nutcracker", "-c", config, "-s", str(free_port()),
                                   "-o", os.path.join(self.workdir, "nutcracker.out")],
                    self.workdir)
        self.procs.append(proc)
        wait_until(lambda: redis_cli(port, "GET", "x") is not None and proc.popen.poll() is None
                   and _accepts(port), "nutcracker")
        self.ports["nutcracker"] = port
        return proc

    def proxy(self, system):
        return {"resplit": self.resplit, "nutcracker": self.nutcracker}.get(system)

    @staticmethod
    def get_calls(port):
        stats = info_fields(port, "commandstats").get("cmdstat_get", "")
        for part in stats.split(","):
            if part.startswith("calls="):
                return int(part[len("calls="):])
        return 0

    def stop(self):
        for proc in reversed(self.procs):
            proc.stop()


def _accepts(port):
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        return True
