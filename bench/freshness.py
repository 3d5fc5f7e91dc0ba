"""Benchmark: how long from a new critical post on the demo world to its alert at a real receiver.

For each source interval (10 s, 30 s, 60 s) this starts the demo world (a local "public web" on
127.0.0.1), a webhook receiver on 127.0.0.1 and the real service (`rykte run` in a subprocess, so
the real scheduler, crawl processes, ingest, analysis and alert step), with one Trustpilot source on
that interval and the receiver as its only alert channel. After the first crawl (its backlog goes
out as one summary), a new 1-star review appears on the world at a random moment of the interval;
the figure is the time until the receiver holds an alert naming it. Twice per interval.

Goal (issue 16): at most the source's interval plus 60 s. Prints the figures and the CPU flags and
merges them into bench/results.json under "freshness".
"""

from __future__ import annotations

import json
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pipeline.demo.posts import Post
from pipeline.demo.world import DemoWorld

ROOT = Path(__file__).resolve().parents[1]
INTERVALS = (10, 30, 60)
REPEATS = 2
GOAL_SLACK_SECONDS = 60
INTERESTING_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_bf16", "amx_int8", "amx_tile", "fma", "sse4_2")


class Receiver:
    """A webhook receiver on 127.0.0.1 that records when each JSON body arrived."""

    def __init__(self) -> None:
        self.bodies: list[tuple[float, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body: Any = json.loads(raw)
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                receiver.bodies.append((time.monotonic(), body))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server.server_address[1]}/hook"

    def arrival(self, marker: str) -> float | None:
        for at, body in list(self.bodies):
            if marker in json.dumps(body, ensure_ascii=False):
                return at
        return None

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def config_text(world: DemoWorld, receiver: Receiver, interval: int) -> str:
    return f"""
company:
  name: Nordlys Logistikk AS
  aliases: ["Nordlys Logistikk", "Nordlys Log"]
  official_accounts: {{trustpilot: [Nordlys Logistikk AS]}}
sources:
  - name: trustpilot
    type: trustpilot
    schedule: {interval}s
    base_url: "{world.base_url('trustpilot')}"
    download_delay: 0
    options: {{domain: nordlyslogistikk.no}}
crawling: {{download_delay: 0, timeout: 20, max_pages: 20}}
responses: {{sla_hours: 24, timezone: Europe/Oslo}}
alerts:
  channels: [{{name: bench, url: "{receiver.url}"}}]
reports: {{enabled: false}}
"""


def new_critical_review(world: DemoWorld, marker: str) -> None:
    """A 1-star review, published now, at the top of the company's Trustpilot page."""
    post = Post(key=f"bench-{marker}", platform="trustpilot", thread=f"bench-{marker}", parent=None,
                author="Kari Nordmann", official=False, hours_ago=0.0, lang="nb", kind="criticism", rating=1,
                title=f"Ingen svar på lønnsslippen {marker}",
                text=f"{marker}: Nordlys Logistikk har ikke betalt overtid på tre måneder, og ingen svarer oss.",
                id=uuid.uuid4().hex[:24], created=datetime.now(UTC))
    world.content.posts["trustpilot"].append(post)
    world.content.__post_init__()  # rebuild the world's indices with the new post


def wait_for(predicate: Any, timeout: float, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc.poll() is not None:
            raise SystemExit(f"the service exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)
    raise SystemExit(f"timed out after {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def measure(interval: int, rng: random.Random) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, DemoWorld() as world:
        receiver = Receiver()
        data = Path(tmp) / "data"
        data.mkdir()
        models = ROOT / "data" / "models"
        if models.exists():
            (data / "models").symlink_to(models, target_is_directory=True)
        config = Path(tmp) / "rykte.yaml"
        config.write_text(config_text(world, receiver, interval), encoding="utf-8")
        log = Path(tmp) / "service.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("RYKTE_")}
        with log.open("wb") as out:
            proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "--config", str(config), "--data-dir",
                                     str(data), "run"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        latencies: list[float] = []
        try:
            started = time.monotonic()
            wait_for(lambda: receiver.bodies, 600, proc, log)  # the first crawl's summary: the backlog
            first_alert = time.monotonic() - started
            for _ in range(REPEATS):
                time.sleep(rng.uniform(0, interval))  # a random moment of the crawl cycle
                marker = f"B{uuid.uuid4().hex[:8]}"
                new_critical_review(world, marker)
                posted = time.monotonic()
                wait_for(lambda m=marker: receiver.arrival(m) is not None, interval + 600, proc, log)
                arrived = receiver.arrival(marker)
                assert arrived is not None
                latencies.append(round(arrived - posted, 1))
            stop_began = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=180)
            stop_seconds = round(time.monotonic() - stop_began, 1)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            receiver.close()
    worst = max(latencies)
    return {"interval_seconds": interval, "latencies_seconds": latencies, "worst_seconds": worst,
            "goal_seconds": interval + GOAL_SLACK_SECONDS, "met": worst <= interval + GOAL_SLACK_SECONDS,
            "first_alert_after_start_seconds": round(first_alert, 1), "stop_seconds": stop_seconds,
            "stop_exit_code": code}


def cpu() -> dict[str, Any]:
    model, flags = platform.processor() or "", set[str]()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name") and not model:
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return {"model": model, "cores": os.cpu_count(), "flags": [f for f in INTERESTING_FLAGS if f in flags]}


def main() -> None:
    rng = random.Random(16)
    machine = cpu()
    print(f"CPU: {machine['model']} ({machine['cores']} cores); flags: {' '.join(machine['flags']) or '-'}")
    rows = []
    for interval in INTERVALS:
        row = measure(interval, rng)
        rows.append(row)
        print(f"interval {interval:3d} s: new post -> alert {row['latencies_seconds']} s "
              f"(goal <= {row['goal_seconds']} s: {'met' if row['met'] else 'MISSED'}); first alert "
              f"{row['first_alert_after_start_seconds']} s after start; SIGTERM stop {row['stop_seconds']} s, "
              f"exit {row['stop_exit_code']}")
    sys.path.insert(0, str(ROOT))
    from bench.results import merge_results

    merge_results("freshness", {"cpu": machine, "source": "trustpilot (demo world)", "repeats": REPEATS,
                                  "intervals": rows, "measured_at": datetime.now(UTC).isoformat(timespec="seconds")})
    if not all(r["met"] for r in rows):
        raise SystemExit("freshness goal missed")


if __name__ == "__main__":
    main()
