"""A small bounded HTTP load client, a gunicorn launcher and a /proc RSS sampler (stdlib only).

Every run is bounded twice: by wall time and by request count. Connections go to 127.0.0.1 only.
One new connection per request (gunicorn's sync workers close after each response anyway).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    ms: float


@dataclass
class Session:
    """Cookies kept per simulated browser; CSRF from the csrftoken cookie."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 60.0

    def request(self, method: str, path: str, form: dict | None = None,
                headers: dict | None = None) -> Response:  # fmt: skip
        head = {"Host": f"{HOST}:{self.port}", "Connection": "close"}
        head.update(headers or {})
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            head["Content-Type"] = "application/x-www-form-urlencoded"
            head["Referer"] = f"http://{HOST}:{self.port}{path}"
        started = time.perf_counter()
        conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=head)
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        ms = (time.perf_counter() - started) * 1000
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie":
                key, _sep, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data, ms)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, form: dict) -> Response:
        form = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **form}
        return self.request("POST", path, form)

    def login(self, path: str, username: str, password: str) -> None:
        self.get(path)
        resp = self.post(path, {"username": username, "password": password})
        if resp.status != 302:
            raise RuntimeError(f"login as {username} failed: HTTP {resp.status}")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


@dataclass
class LoadResult:
    ok: int
    failed: int
    seconds: float
    latencies_ms: list[float]
    errors: list[str]

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def p50(self) -> float:
        return percentile(self.latencies_ms, 0.50)

    @property
    def p99(self) -> float:
        return percentile(self.latencies_ms, 0.99)

    def summary(self) -> str:
        return (f"{self.ok} ok, {self.failed} failed in {self.seconds:.1f} s: "
                f"{self.rate:.1f}/s, p50 {self.p50:.1f} ms, p99 {self.p99:.1f} ms")  # fmt: skip


def run_load(make_session: Callable[[int], Session], step: Callable[[Session, int], Response],
             *, clients: int, seconds: float, max_requests: int,
             ok: Callable[[Response], bool] = lambda r: r.status == 200) -> LoadResult:  # fmt: skip
    """`clients` threads call `step` in a loop until `seconds` pass or `max_requests` are made."""
    lock = threading.Lock()
    counter = iter(range(max_requests))
    latencies: list[float] = []
    errors: list[str] = []
    good = bad = 0

    def worker(index: int) -> None:
        nonlocal good, bad
        session = make_session(index)  # a login is not part of the measured time
        deadline = time.perf_counter() + seconds
        first = True
        while first or time.perf_counter() < deadline:  # at least one request per client
            first = False
            with lock:
                n = next(counter, None)
            if n is None:
                return
            try:
                resp = step(session, n)
                passed = ok(resp)
            except (OSError, http.client.HTTPException) as exc:
                resp, passed = None, False
                with lock:
                    errors.append(repr(exc))
            with lock:
                if passed:
                    good += 1
                    latencies.append(resp.ms)
                else:
                    bad += 1
                    if resp is not None and len(errors) < 5:
                        errors.append(f"HTTP {resp.status}")

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return LoadResult(good, bad, time.perf_counter() - started, latencies, errors)


# --- processes --------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            out += [int(p) for p in task.read_text().split()]
    return out


def rss_kib(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)
    return int(match.group(1)) if match else 0


def cpu_seconds(pid: int, extra_pids: tuple[int, ...] = ()) -> float:
    """User + system CPU time of a server (master and workers) and its helper processes so far:
    CPU per submission does not depend on what else the machine is running."""
    return sum(cpu_seconds_of(p) for p in (pid, *_children(pid), *extra_pids))


def named_pids(name: str) -> list[int]:
    """Processes whose command name is `name` (e.g. the PostgreSQL server's backends)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


class DatabaseCpu:
    """CPU time of a database server's processes over a span (`with`); 0 for SQLite, which runs
    inside the measured processes. Backends that exit within the span are not counted."""

    def __init__(self, engine: str):
        self.engine, self.seconds = engine, 0.0
        self._before: dict[int, float] = {}

    def _now(self) -> dict[int, float]:
        if self.engine != "postgres":
            return {}
        return {p: cpu_seconds_of(p) for p in named_pids("postgres")}

    def __enter__(self):
        self._before = self._now()
        return self

    def __exit__(self, *exc):
        self.seconds = sum(t - self._before.get(p, 0.0) for p, t in self._now().items())


def cpu_seconds_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


class RssSampler:
    """Samples master + workers every 50 ms; keeps the peak total and the peak single worker."""

    def __init__(self, pid: int, interval: float = 0.05, extra_pids: tuple[int, ...] = ()):
        self.pid, self.interval, self.extra_pids = pid, interval, extra_pids
        self.peak_total_kib = self.peak_worker_kib = self.peak_master_kib = 0
        self.peak_extra_kib = 0  # other processes of the system (unionhome's intake worker)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        master = rss_kib(self.pid)
        workers = [rss_kib(c) for c in _children(self.pid)]
        self.peak_master_kib = max(self.peak_master_kib, master)
        self.peak_worker_kib = max([self.peak_worker_kib, *workers])
        extra = sum(rss_kib(p) for p in self.extra_pids)
        self.peak_extra_kib = max(self.peak_extra_kib, extra)
        self.peak_total_kib = max(self.peak_total_kib, master + sum(workers) + extra)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


class Gunicorn:
    """gunicorn with N sync workers on 127.0.0.1:<free port>; stopped (and waited for) on exit."""

    def __init__(self, gunicorn: str | Path, app: str, *, cwd: str | Path, env: dict,
                 workers: int = 2, extra: tuple[str, ...] = (), log: Path | None = None):  # fmt: skip
        self.port = free_port()
        self.cmd = [str(gunicorn), app, "--workers", str(workers), "--worker-class", "sync",
                    "--bind", f"{HOST}:{self.port}", "--timeout", "120", *extra]  # fmt: skip
        self.cwd, self.env, self.log = cwd, env, log
        self.proc: subprocess.Popen | None = None

    def __enter__(self):
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
        self.proc = subprocess.Popen(self.cmd, cwd=self.cwd, env=self.env, stdout=out,  # noqa: S603
                                     stderr=subprocess.STDOUT)  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}: {self.cmd}")
            try:
                with socket.create_connection((HOST, self.port), timeout=0.5):
                    pass
                if len(_children(self.proc.pid)) >= 1:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("gunicorn did not start within 60 s")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def env_with(**values) -> dict:
    env = dict(os.environ)
    env.update({k: str(v) for k, v in values.items()})
    return env


# --- the table --------------------------------------------------------------------------------
def table(rows: list[tuple[str, str, str, str]], header=("scenario", "unionhome",
          "django-helpdesk", "ratio")) -> str:  # fmt: skip
    """A Markdown table (it reads fine in a terminal and pastes into the README)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else float("nan")
