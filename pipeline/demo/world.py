"""The demo world: a local "public web" on 127.0.0.1 serving every source type in its real format.

    with DemoWorld() as world:                  # free port, content ends "now"
        world.base_url("reddit")                # http://127.0.0.1:PORT/reddit
        world.feeds.rss, world.feeds.search     # news feeds
        world.tokens["linkedin"]                # bearer token the LinkedIn API accepts
        world.sink_url                          # json://127.0.0.1:PORT/sink/webhook (apprise)

Each source type lives under its own prefix and serves the platform's real API paths below it, so a
spider configured with ``base_url = world.base_url(type)`` builds exactly the URLs it builds against
the real site (DEVELOPERS.md, crawl contract). ``/robots.txt`` (and ``/<type>/robots.txt``) allow
everything. ``/sink/webhook`` records POSTed JSON bodies (the demo's alert channel); ``/sink/``
lists them.

The server is the standard library's ``ThreadingHTTPServer`` in a daemon thread: no dependency,
concurrent requests (Scrapy issues several at once), and it starts in milliseconds inside tests.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlsplit

from pipeline.demo import formats
from pipeline.demo.content import build_content
from pipeline.demo.posts import COMPANY, OFFICIAL, Content

SOURCE_TYPES = ("news", "reddit", "hackernews", "mastodon", "bluesky", "trustpilot", "web", "linkedin",
                "facebook", "instagram")
DEFAULT_TOKENS = {"linkedin": "demo-linkedin-token", "facebook": "demo-facebook-token",
                  "instagram": "demo-instagram-token", "bluesky": "demo-app-pass-word"}
ROBOTS = "User-agent: *\nAllow: /\n"


@dataclass(frozen=True)
class DemoFeeds:
    """The news source's feed URLs."""

    rss: str
    atom: str
    search: str  # Google-News-style search feed for the company's name

    def search_url(self, query: str) -> str:
        return self.rss.rsplit("/", 1)[0] + f"/rss/search?q={quote_plus(query)}&hl=nb&gl=NO&ceid=NO:nb"

    def all(self) -> list[str]:
        return [self.rss, self.atom, self.search]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet; the world keeps its own request log
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        world = self.server.world
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            resp = world.handle(method, self.path, self.headers, body)
        except Exception as exc:  # a bug of ours: answer 500 like a real server, keep serving
            world.errors.append(f"{method} {self.path}: {exc!r}")
            resp = formats.jresp({"error": "internal", "message": str(exc)}, 500)
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        for k, v in resp.headers.items():
            self.send_header(k, v)
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(resp.body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr: tuple[str, int], world: DemoWorld) -> None:
        self.world = world
        super().__init__(addr, _Handler)


class DemoWorld:
    """A real HTTP server on 127.0.0.1 serving the demo content in each platform's format."""

    def __init__(self, port: int = 0, anchor: datetime | None = None, seed: int = 2026,
                 tokens: dict[str, str] | None = None, host: str = "127.0.0.1") -> None:
        self.content: Content = build_content(anchor, seed)
        self.tokens = dict(DEFAULT_TOKENS if tokens is None else tokens)
        self.host = host
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.sink: list[dict[str, Any]] = []
        self.requests: list[str] = []  # "GET /reddit/search.json?..." in arrival order
        self.errors: list[str] = []
        self._lock = threading.Lock()

    # lifecycle -------------------------------------------------------------------------------------
    def start(self) -> DemoWorld:
        if self._server is not None:
            return self
        self._server = _Server((self.host, self._port), self)
        self._port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="demo-world", daemon=True,
                                        kwargs={"poll_interval": 0.1})
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> DemoWorld:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        """Start and block until interrupted (for ``python -m pipeline.demo.world``)."""
        self.start()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    # addresses -------------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the demo world is not running (call start())")
        return self._port

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def base_url(self, source_type: str) -> str:
        if source_type not in SOURCE_TYPES:
            raise ValueError(f"unknown source type {source_type!r}; one of {', '.join(SOURCE_TYPES)}")
        return f"{self.origin}/{source_type}"

    @property
    def feeds(self) -> DemoFeeds:
        news = self.base_url("news")
        feeds = DemoFeeds(rss=f"{news}/rss", atom=f"{news}/atom", search="")
        return DemoFeeds(rss=feeds.rss, atom=feeds.atom, search=feeds.search_url(f'"{COMPANY["aliases"][0]}"'))

    @property
    def sink_url(self) -> str:
        """The webhook receiver as an apprise URL."""
        return f"json://{self.host}:{self.port}/sink/webhook"

    @property
    def env(self) -> dict[str, str]:
        """Environment for ``config/demo.yaml``'s ``${...}`` placeholders."""
        return {"DEMO_BASE_URL": self.origin, "DEMO_SINK_URL": self.sink_url,
                "DEMO_LINKEDIN_TOKEN": self.tokens.get("linkedin", ""),
                "DEMO_FACEBOOK_TOKEN": self.tokens.get("facebook", ""),
                "DEMO_INSTAGRAM_TOKEN": self.tokens.get("instagram", ""),
                "DEMO_BLUESKY_HANDLE": formats.BSKY_SESSION_HANDLE,
                "DEMO_BLUESKY_APP_PASSWORD": self.tokens.get("bluesky", "")}

    # content summary -------------------------------------------------------------------------------
    def company(self) -> dict[str, Any]:
        return {**COMPANY, "official_accounts": dict(OFFICIAL)}

    def stats(self) -> dict[str, Any]:
        """Counts of the served mentions (for tests, the README and the CLI)."""
        by_source: dict[str, int] = {}
        by_lang: dict[str, int] = {}
        for p in self.content.all_mentions():
            by_source[p.platform] = by_source.get(p.platform, 0) + 1
            by_lang[p.lang] = by_lang.get(p.lang, 0) + 1
        news = [a for a in self.content.articles if a.company]
        by_source["news"] = len(news)
        for a in news:
            by_lang[a.lang] = by_lang.get(a.lang, 0) + 1
        return {"mentions": sum(by_source.values()), "by_source": by_source, "by_lang": by_lang,
                "anchor": self.content.anchor.isoformat()}

    # dispatch --------------------------------------------------------------------------------------
    def handle(self, method: str, raw_path: str, headers: Any, body: bytes) -> formats.Resp:
        with self._lock:
            self.requests.append(f"{method} {raw_path}")
        parts = urlsplit(raw_path)
        path = parts.path
        query = parse_qs(parts.query, keep_blank_values=True)
        if path == "/robots.txt" or (path.endswith("/robots.txt") and path.count("/") == 2):
            return formats.hresp(ROBOTS, ctype="text/plain; charset=utf-8")
        if path in ("/", ""):
            links = "".join(f'<li><a href="/{t}/">{t}</a></li>' for t in SOURCE_TYPES)
            return formats.hresp(f"<html><body><h1>Rykte demo world</h1><ul>{links}</ul></body></html>")
        if path.startswith("/sink"):
            return self._sink(method, path, body)
        prefix, _, rest = path.lstrip("/").partition("/")
        if prefix not in SOURCE_TYPES:
            return formats.hresp("<html><body><h1>404 Not Found</h1></body></html>", 404)
        sub = "/" + rest
        host = headers.get("Host") or f"{self.host}:{self.port}"
        req = formats.Req(method=method if method != "HEAD" else "GET", path=sub, query=query, headers=headers,
                          body=body, origin=f"http://{host}", prefix=f"/{prefix}", content=self.content,
                          tokens=self.tokens)
        for route_method, pattern, fn in formats.ROUTES.get(prefix, []):
            m = pattern.match(sub)
            if m and route_method == req.method:
                return fn(req, m)
        if prefix in ("facebook", "instagram"):
            return formats.graph_error("Unknown path components: " + sub, "OAuthException", 2500)
        if prefix in ("reddit", "hackernews", "mastodon", "bluesky", "linkedin"):
            return formats.jresp({"error": "Not Found", "status": 404}, 404)
        return formats.hresp("<html><body><h1>404 Not Found</h1></body></html>", 404)

    def _sink(self, method: str, path: str, body: bytes) -> formats.Resp:
        if method == "POST" and path.rstrip("/") == "/sink/webhook":
            try:
                record = json.loads(body.decode("utf-8") or "null")
            except (UnicodeDecodeError, json.JSONDecodeError):
                return formats.jresp({"error": "body is not JSON"}, 400)
            with self._lock:
                self.sink.append(record)
            return formats.jresp({"ok": True, "count": len(self.sink)})
        if method == "GET" and path.rstrip("/") in ("/sink", "/sink/webhook"):
            with self._lock:
                return formats.jresp(list(self.sink))
        return formats.jresp({"error": "Not Found"}, 404)


def main() -> None:
    """``python -m pipeline.demo.world [PORT]``: serve the demo world until Ctrl-C."""
    import sys

    world = DemoWorld(port=int(sys.argv[1]) if len(sys.argv) > 1 else 8765).start()
    print(f"demo world on {world.origin}  ({world.stats()['mentions']} mentions)")
    for t in SOURCE_TYPES:
        print(f"  {t:<11} {world.base_url(t)}")
    print(f"  sink        {world.origin}/sink/")
    world.serve_forever()


if __name__ == "__main__":
    main()
