"""Fixtures for the alert tests: real SMTP/HTTP(S) receivers on 127.0.0.1 and a real store."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.alerts.receivers import SmtpSink, Store, WebhookSink, free_port, self_signed


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink(free_port()).start()
    yield sink
    sink.stop()

@pytest.fixture
def webhook() -> Iterator[WebhookSink]:
    sink = WebhookSink(free_port()).start()
    yield sink
    sink.stop()

@pytest.fixture
def https_webhook(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebhookSink]:
    sink = WebhookSink(free_port(), tls=True).start(self_signed(tmp_path_factory.mktemp("tls")))
    yield sink
    sink.stop()

@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "data")
    yield s
    with contextlib.suppress(duckdb.Error):
        s.close()

