"""Shared state of the dashboard: command-line arguments, the sidebar filters, cached queries.

Every query goes through `query()`: it opens the published snapshot read-only, runs one function of
`pipeline.store.queries` (passed as the function itself, so a typo is an error the type checker
sees), closes it, and caches the answer keyed on the function's qualified name, its arguments and
the snapshot file's (inode, mtime, size) — so a newly published snapshot shows up on the next
rerun, and an unchanged one is not re-read. The SLA comes from the settings the writer published
with the snapshot, not from the command line.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import duckdb
import pandas as pd
import streamlit as st

from pipeline import i18n
from pipeline.store import queries
from pipeline.store.db import SNAPSHOT_DB

P = ParamSpec("P")
R = TypeVar("R")
LANG: i18n.Lang = "nb"  # the dashboard's language (its texts: `dashboard.*` in pipeline/i18n/dashboard.yaml)
ALL_SOURCES = i18n.t("common.all_sources", LANG)
CTX_KEY = "_rykte_ctx"


def t(key: str, /, **values: object) -> str:
    """The dashboard text `dashboard.<key>` in the dashboard's language."""
    return i18n.t(f"dashboard.{key}", LANG, **values)


@dataclass(frozen=True)
class Args:
    data_dir: Path


@dataclass(frozen=True)
class Context:
    data_dir: Path
    snapshot: Path
    sla_hours: float
    since: date
    until: date  # exclusive
    source: str | None
    now: datetime  # naive UTC, rounded to the minute

    @property
    def window_label(self) -> str:
        last = self.until - timedelta(days=1)
        src = self.source or t("window.all_sources")
        return f"{self.since:%d.%m.%Y}–{last:%d.%m.%Y} · {src}"


def parse_args(argv: Sequence[str]) -> Args:
    """`streamlit run dashboard/app.py -- --data-dir DIR`.

    An old `--sla-hours H` is accepted and ignored: the SLA is the configured one, published with
    the snapshot.
    """
    p = argparse.ArgumentParser(prog="rykte-dashboard", add_help=False)
    p.add_argument("--data-dir", default="data")
    p.add_argument("--sla-hours", help=argparse.SUPPRESS)
    ns, _unknown = p.parse_known_args(list(argv))
    return Args(Path(ns.data_dir))


def utcnow_minute() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0)


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(snapshot: str, key: tuple[int, int, int], fn_name: str, args: tuple[Any, ...],
            kwargs: tuple[tuple[str, Any], ...], _fn: Callable[..., Any]) -> Any:
    # `_fn` is not hashed by Streamlit (leading underscore); `fn_name` identifies it in the key.
    return queries.read_snapshot(Path(snapshot), _fn, *args, **dict(kwargs))


def query(snapshot: Path, fn: Callable[Concatenate[duckdb.DuckDBPyConnection, P], R],
          *args: P.args, **kwargs: P.kwargs) -> R:
    """Run the query function `fn(con, *args, **kwargs)` on the snapshot, cached."""
    key = queries.snapshot_key(snapshot)
    if key is None:
        raise queries.NoSnapshotError(f"{snapshot}: no snapshot yet")
    name = f"{fn.__module__}.{fn.__qualname__}"
    return _cached(str(snapshot), key, name, args, tuple(sorted(kwargs.items())), fn)  # type: ignore[no-any-return]


def set_context(ctx: Context) -> None:
    st.session_state[CTX_KEY] = ctx


def context() -> Context:
    return st.session_state[CTX_KEY]  # type: ignore[no-any-return]


def q(fn: Callable[Concatenate[duckdb.DuckDBPyConnection, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
    """`query` on the current context's snapshot."""
    return query(context().snapshot, fn, *args, **kwargs)


def sidebar(args: Args) -> Context:
    """Date window and source filter; returns the context the pages read."""
    snapshot = args.data_dir / SNAPSHOT_DB
    now = utcnow_minute()
    bounds = query(snapshot, queries.data_bounds)
    settings = query(snapshot, queries.read_settings)
    default_since, default_until = query(snapshot, queries.default_window, now.date())
    first = bounds["first"].date() if bounds["first"] is not None else default_since
    min_day = min(first, default_since)
    max_day = default_until - timedelta(days=1)
    with st.sidebar:
        st.header(t("sidebar.header"))
        picked = st.date_input(
            t("sidebar.period"), value=(default_since, max_day), min_value=min_day,
            max_value=max_day, format="DD.MM.YYYY", key="period", help=t("sidebar.period_help"),
        )
        if isinstance(picked, tuple | list) and len(picked) == 2:
            since, last = picked[0], picked[1]
        elif isinstance(picked, tuple | list) and len(picked) == 1:
            since = last = picked[0]
        elif isinstance(picked, date):
            since = last = picked
        else:
            since, last = default_since, max_day
        options = [ALL_SOURCES, *query(snapshot, queries.sources)]
        choice = st.selectbox(t("sidebar.source"), options, key="source")
        st.caption(t("sidebar.sla", hours=f"{settings.sla_hours:g}"))
        updated = bounds["updated_at"]
        if updated is not None:
            st.caption(t("sidebar.updated", when=f"{pd.Timestamp(updated):%d.%m.%Y %H:%M}"))
    ctx = Context(
        data_dir=args.data_dir, snapshot=snapshot, sla_hours=settings.sla_hours, since=since,
        until=last + timedelta(days=1), source=None if choice == ALL_SOURCES else choice, now=now,
    )
    set_context(ctx)
    return ctx


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def md_escape(text: str | None) -> str:
    """Show user-written text literally inside st.markdown (no links, headings or HTML)."""
    return "" if text is None else _MD_SPECIAL.sub(r"\\\1", str(text))


def snippet(text: str | None, n: int = 140) -> str:
    t = " ".join(str(text or "").split())
    return t if len(t) <= n else t[: n - 1] + "…"
