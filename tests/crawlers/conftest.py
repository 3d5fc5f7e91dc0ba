"""Crawler test harness: a real threaded HTTP server on 127.0.0.1 and a real `scrapy crawl` subprocess.

``fixture_server`` serves files from ``tests/crawlers/fixtures`` (or inline bodies) by path, with
optional query-parameter matching, and can inject failures: status codes (optionally only for the
first N hits), Retry-After, wrong encodings, truncated bodies (Content-Length larger than the body),
redirect loops, empty pages and slow responses. It records every request it sees.

``run_crawl`` writes a job file as the service would (DEVELOPERS.md contract) and runs
``python -m scrapy crawl <type> -a job=… -s FEEDS=…`` with the repository's .venv python, returning
the staged items and the stats file.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
VENV_PY = REPO / ".venv" / "bin" / "python"
PYTHON = str(VENV_PY if VENV_PY.exists() else Path(sys.executable))

COMPANY = {
    "name": "Nordlys Logistikk",
    "aliases": ["Nordlys Logistikk AS", "NordlysLog"],
    "exclude": ["Nordlys Hotell", "nordlysfestivalen"],
    "official_accounts": [],
}

FAST_POLITE = {
    "download_delay": 0,
    "autothrottle": False,
    "concurrency": 16,
    "timeout": 5,
    "obey_robots": True,
    "max_pages": 10,
    "retry_times": 2,
    "retry_backoff": 0.05,
}

CONTENT_TYPES = {
    ".json": "application/json; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".xml": "application/rss+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


@dataclass
class Route:
    path: str
    query: dict[str, str] = field(default_factory=dict)
    file: str | None = None
    body: bytes | str | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None
    fail_times: int = 0  # serve `fail_status` this many times first, then the real response
    fail_status: int = 503
    fail_headers: dict[str, str] = field(default_factory=dict)
    redirect_to: str | None = None
    truncate: bool = False
    delay: float = 0.0
    transcode: str | None = None  # re-encode the (UTF-8) body into this codec, keep the header
    hits: int = 0


@dataclass
class Seen:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    time: float
    method: str = "GET"


class FixtureServer:
    def __init__(self) -> None:
        self.routes: list[Route] = []
        self.requests: list[Seen] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server.handle(self)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                server.handle(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add(self, path: str, file: str | None = None, **kw: Any) -> Route:
        query = kw.pop("query", {}) or {}
        route = Route(path=path, query=query, file=file, **kw)
        with self.lock:
            # most specific (more query keys) first
            self.routes.append(route)
            self.routes.sort(key=lambda r: -len(r.query))
        return route

    def reset(self) -> None:
        with self.lock:
            self.routes.clear()
            self.requests.clear()

    def seen(self, path_prefix: str) -> list[Seen]:
        return [r for r in self.requests if r.path.startswith(path_prefix)]

    def _match(self, path: str, query: dict[str, str]) -> Route | None:
        for r in self.routes:
            if r.path == path and all(query.get(k) == v for k, v in r.query.items()):
                return r
        return None

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)._replace(path=unquote(urlsplit(h.path).path))
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        with self.lock:
            self.requests.append(
                Seen(parts.path, query, dict(h.headers.items()), time.monotonic(), h.command)
            )
            route = self._match(parts.path, query)
            if route is not None:
                route.hits += 1
        if route is None:
            self._send(h, 404, b"not found", "text/plain")
            return
        if route.delay:
            time.sleep(route.delay)
        if route.hits <= route.fail_times:
            self._send(h, route.fail_status, b"temporarily unavailable", "text/plain", route.fail_headers)
            return
        if route.redirect_to is not None:
            self._send(h, 302, b"", "text/plain", {"Location": route.redirect_to})
            return
        body: bytes
        if route.file is not None:
            body = (FIXTURES / route.file).read_bytes()
        elif isinstance(route.body, str):
            body = route.body.encode("utf-8")
        else:
            body = route.body or b""
        if route.transcode:
            body = body.decode("utf-8").encode(route.transcode)
        ctype = route.content_type
        if ctype is None:
            suffix = Path(route.file or route.path).suffix
            ctype = CONTENT_TYPES.get(suffix, "application/json; charset=utf-8")
        self._send(h, route.status, body, ctype, route.headers, truncate=route.truncate)

    @staticmethod
    def _send(
        h: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        ctype: str,
        headers: dict[str, str] | None = None,
        truncate: bool = False,
    ) -> None:
        try:
            h.send_response(status)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(body) + (4096 if truncate else 0)))
            for k, v in (headers or {}).items():
                h.send_header(k, v)
            if truncate:
                h.send_header("Connection", "close")
            h.end_headers()
            h.wfile.write(body)
            h.wfile.flush()
            if truncate:
                h.close_connection = True
        except (BrokenPipeError, ConnectionResetError):
            pass

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def fixture_server() -> Iterator[FixtureServer]:
    srv = FixtureServer()
    try:
        yield srv
    finally:
        srv.close()


@pytest.fixture
def server(fixture_server: FixtureServer) -> Iterator[FixtureServer]:
    fixture_server.reset()
    yield fixture_server
    fixture_server.reset()


@dataclass
class CrawlResult:
    items: list[dict[str, Any]]
    stats: dict[str, Any]
    log: str
    returncode: int
    job: dict[str, Any]

    def by_id(self) -> dict[str, dict[str, Any]]:
        return {i["external_id"]: i for i in self.items}

    def ids(self) -> set[str]:
        return {i["external_id"] for i in self.items}


def run_crawl(
    tmp_path: Path,
    spider: str,
    base_url: str | None,
    options: dict[str, Any] | None = None,
    *,
    company: dict[str, Any] | None = None,
    cursor: dict[str, Any] | None = None,
    full: bool = False,
    secrets: dict[str, str] | None = None,
    polite: dict[str, Any] | None = None,
    platform: str | None = None,
    run_id: str = "run",
    cwd: Path | None = None,
    extra_settings: dict[str, str] | None = None,
    timeout: float = 90,
) -> CrawlResult:
    staging = tmp_path / "staging"
    staging.mkdir(parents=True, exist_ok=True)
    job = {
        "run_id": run_id,
        "source_name": f"test-{spider}",
        "platform": platform or spider,
        "type": spider,
        "base_url": base_url,
        "options": options or {},
        "company": company or COMPANY,
        "cursor": cursor,
        "full": full,
        "secrets": secrets or {},
        "polite": {**FAST_POLITE, **(polite or {})},
        "stats_path": str(staging / f"{run_id}.stats.json"),
    }
    job_path = staging / f"{run_id}.job.json"
    job_path.write_text(json.dumps(job), encoding="utf-8")
    out = staging / f"{run_id}.jsonl"
    if out.exists():
        out.unlink()
    feeds = json.dumps({str(out): {"format": "jsonlines", "encoding": "utf8"}})
    cmd = [PYTHON, "-m", "scrapy", "crawl", spider, "-a", f"job={job_path}", "-s", f"FEEDS={feeds}"]
    for k, v in (extra_settings or {}).items():
        cmd += ["-s", f"{k}={v}"]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawlers.settings", "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run(
        cmd, cwd=str(cwd or REPO), env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    items = []
    if out.exists():
        items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    stats_file = Path(job["stats_path"])
    stats = json.loads(stats_file.read_text(encoding="utf-8")) if stats_file.exists() else {}
    return CrawlResult(
        items=items, stats=stats, log=proc.stderr + proc.stdout, returncode=proc.returncode, job=job
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
