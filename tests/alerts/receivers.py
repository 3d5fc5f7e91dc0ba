"""Real receivers on 127.0.0.1 for the alert tests, and a tiny real store (used by conftest).

- `smtp`: an aiosmtpd SMTP server that keeps every message; `stop()`/`start()` take it down and
  bring it back on the same port (a dead mail server that comes back).
- `webhook`: a stdlib HTTP server that records every POST (path, JSON body) and answers with
  `status` (200, or 500 to play a broken receiver); `hold` makes it keep the connection open after
  recording, so a sender can be killed "after the remote end accepted".
- `https_webhook`: the same behind TLS with a self-signed certificate (for apprise's Teams
  `workflows://`, which only speaks https).
- `store`: an empty migrated DuckDB file via `connect_writer`, plus helpers to add mentions in the
  import format (through `validate_row` and `upsert_mentions`) and to flag them as criticism.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import json
import socket
import ssl
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb
from aiosmtpd.controller import Controller

from pipeline.ingest.importer import validate_row
from pipeline.store.db import DataDir, connect_writer
from pipeline.store.mentions import resolve_official, sync_official_accounts, upsert_mentions


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --------------------------------------------------------------------------- SMTP


class _Collector:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append(msg)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SmtpSink:
    def __init__(self, port: int) -> None:
        self.port = port
        self.collector = _Collector()
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"mailto://127.0.0.1:{self.port}?from=rykte@example.no&to=hr@example.no"

    @property
    def messages(self) -> list[EmailMessage]:
        return self.collector.messages

    def start(self) -> SmtpSink:
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None




# --------------------------------------------------------------------------- HTTP webhooks


@dataclass
class Post:
    path: str
    body: Any


@dataclass
class WebhookSink:
    port: int
    tls: bool = False
    status: int = 200
    hold: bool = False
    posts: list[Post] = field(default_factory=list)
    received: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None

    @property
    def json_url(self) -> str:
        return f"json://127.0.0.1:{self.port}/hook"

    def start(self, cert: tuple[Path, Path] | None = None) -> WebhookSink:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body: Any = json.loads(raw)
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                sink.posts.append(Post(self.path, body))
                sink.received.set()
                if sink.hold:
                    sink.release.wait(30)
                self.send_response(sink.status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if sink.status < 400 else b"receiver exploded")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        if cert is not None:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(str(cert[0]), str(cert[1]))
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.release.set()
            self.server.shutdown()
            self.server.server_close()
            self.server = None




def self_signed(tmp: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path




# --------------------------------------------------------------------------- the store


class Store:
    """A real migrated rykte.duckdb with helpers to add mentions in the import format."""

    def __init__(self, root: Path) -> None:
        self.data_dir = DataDir(root)
        self.con: duckdb.DuckDBPyConnection = connect_writer(self.data_dir)

    def add(self, external_id: str, *, criticism: bool = True, p_negative: float | None = 0.91,
            **fields: Any) -> int:
        raw: dict[str, Any] = {
            "source": "reddit",
            "external_id": external_id,
            "author": "misfornoyd_ansatt",
            "published_at": "2026-11-20T09:15:00Z",
            "text": "Elendig ledelse og lav lønn hos Firmaet. Ingen svarer på e-post.",
            "url": f"https://example.no/m/{external_id}",
        }
        raw.update(fields)
        upsert_mentions(self.con, [validate_row(raw)])
        row = self.con.execute(
            "SELECT id FROM mentions WHERE source = ? AND external_id = ?", [raw["source"], external_id]
        ).fetchone()
        assert row is not None
        mention_id = int(row[0])
        self.con.execute(
            "UPDATE mentions SET is_criticism = ?, p_negative = ?, sentiment = ?, analyzed_at = now() "
            "WHERE id = ?",
            [criticism, p_negative, "negative" if criticism else "positive", mention_id],
        )
        return mention_id

    def official_accounts(self, accounts: dict[str, set[str]]) -> None:
        sync_official_accounts(self.con, accounts)
        resolve_official(self.con)

    def outbox(self) -> list[dict[str, Any]]:
        cur = self.con.execute(
            "SELECT o.*, m.external_id FROM alert_outbox o LEFT JOIN mentions m ON m.id = o.mention_id "
            "ORDER BY o.id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def reopen(self) -> None:
        self.con = connect_writer(self.data_dir)

    def close(self) -> None:
        self.con.close()

