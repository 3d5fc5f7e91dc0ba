"""Shared state of the dashboard: arguments, the reader's language, the sidebar filters, cached
queries, and the display rules every page uses (numbers, times, names).

Every query goes through `query()`: it opens the published snapshot read-only, runs one function of
`pipeline.store.queries` (passed as the function itself, so a typo is an error the type checker
sees), closes it, and caches the answer keyed on the function's qualified name, its arguments and
the snapshot file's (inode, mtime, size) — so a newly published snapshot shows up on the next
rerun, and an unchanged one is not re-read. The SLA, the company's time zone and its default
language come from the settings the writer published with the snapshot, not from the command line.

Why the display rules live here: a page must never show an English id (`work_environment`), a raw
author URN, "None" or a UTC time to an HR reader; one place per rule keeps the pages from drifting.
Each reader may switch the language in the sidebar (kept in their session only).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import pandas as pd
import streamlit as st

from dashboard import auth
from pipeline import charts, i18n
from pipeline.store import queries
from pipeline.store.db import SNAPSHOT_DB

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
CTX_KEY = "_rykte_ctx"
LANG_KEY = "lang"  # the reader's language in the session (the sidebar's selector)
DEFAULT_TZ = "Europe/Oslo"


def lang() -> i18n.Lang:
    """The reader's language: their sidebar choice, else the configured `language` (set by `start`)."""
    value = st.session_state.get(LANG_KEY)
    return value if value in i18n.LANGS else "nb"


def t(key: str, /, **values: object) -> str:
    """The dashboard text `dashboard.<key>` in the reader's language."""
    return i18n.t(f"dashboard.{key}", lang(), **values)


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
    timezone: str = DEFAULT_TZ

    @property
    def window_label(self) -> str:
        last = self.until - timedelta(days=1)
        src = source_name(self.source) if self.source else t("window.all_sources")
        period = i18n.fmt_period(self.since, last, lang())
        return re.sub(r"^(\d+)\.", r"\1\\.", period) + f" · {src}"  # "5. nov." is no list item in markdown


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


def start(args: Args) -> None:
    """Before anything is drawn: the reader's language defaults to the configured one."""
    if LANG_KEY in st.session_state:
        return
    snapshot = args.data_dir / SNAPSHOT_DB
    configured = query(snapshot, queries.read_settings).language if snapshot.exists() else "nb"
    st.session_state[LANG_KEY] = i18n.language(configured)


def set_context(ctx: Context) -> None:
    st.session_state[CTX_KEY] = ctx


def context() -> Context:
    return st.session_state[CTX_KEY]  # type: ignore[no-any-return]


def q(fn: Callable[Concatenate[duckdb.DuckDBPyConnection, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
    """`query` on the current context's snapshot."""
    return query(context().snapshot, fn, *args, **kwargs)


def select(where: Any, label: str, options: Sequence[T], key: str, fmt: Callable[[T], str], **kw: Any) -> T:
    """`where.selectbox` whose option names are fixed in this run's language (Streamlit may format
    an option again later, outside the run, where the reader's language is not known)."""
    names = {option: fmt(option) for option in options}
    return where.selectbox(label, list(options), key=key, format_func=names.__getitem__, **kw)  # type: ignore[no-any-return]


def sidebar(args: Args) -> Context:
    """Language, date window and source filter; returns the context the pages read."""
    snapshot = args.data_dir / SNAPSHOT_DB
    now = utcnow_minute()
    bounds = query(snapshot, queries.data_bounds)
    settings = query(snapshot, queries.read_settings)
    default_since, default_until = query(snapshot, queries.default_window, now.date())
    first = bounds["first"].date() if bounds["first"] is not None else default_since
    min_day = min(first, default_since)
    max_day = default_until - timedelta(days=1)
    with st.sidebar:
        select(st, t("sidebar.language"), list(i18n.LANGS), LANG_KEY,
               lambda code: i18n.t(f"dashboard.sidebar.language_{code}", code))
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
        choice = select(st, t("sidebar.source"), [None, *query(snapshot, queries.sources)], "source",
                        lambda s: source_name(s) if s else t("sidebar.all_sources"))
        st.caption(t("sidebar.sla", hours=sla_text(settings.sla_hours)))
        updated = bounds["updated_at"]
        if updated is not None:
            st.caption(t("sidebar.updated", when=when(updated, settings.timezone)))
    ctx = Context(
        data_dir=args.data_dir, snapshot=snapshot, sla_hours=settings.sla_hours, since=since,
        until=last + timedelta(days=1), source=choice, now=now, timezone=settings.timezone,
    )
    set_context(ctx)
    return ctx


# --------------------------------------------------------------------------------------------
# Display rules: numbers, times and names in the reader's language


def num(v: float | None) -> str:
    return charts.fmt_int(v, lang())


def pct(v: float | None) -> str:
    return charts.fmt_pct(v, lang=lang())


def hours(v: float | None) -> str:
    return charts.fmt_hours(v, lang=lang())


def quality(v: float | None) -> str:
    return charts.fmt_quality(v, lang())


def sla_text(h: float) -> str:
    """The SLA's hours as a plain number: "24", "1,5"."""
    return i18n.fmt_number(h, lang(), 0 if float(h).is_integer() else 1)


def duration(h: float | None) -> str:
    """Hours in human units: "45 min", "5 t", "2 d 4 t"; "–" for none."""
    return "–" if h is None or pd.isna(h) else i18n.fmt_duration(float(h), lang())


def time_left(h: float | None) -> str:
    """Time left to a deadline: "2 d 4 t", or "over fristen med 3 d" once it has passed."""
    if h is None or pd.isna(h):
        return "–"
    return duration(h) if h >= 0 else t("time.overdue", by=duration(-float(h)))


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_TZ)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TZ)


def local(ts: Any, tz: str | None = None) -> pd.Timestamp | None:
    """A stored naive-UTC time in the company's time zone (naive again, for display)."""
    if ts is None or pd.isna(ts):
        return None
    zone = _zone(tz or (context().timezone if CTX_KEY in st.session_state else None))
    return pd.Timestamp(ts).tz_localize("UTC").tz_convert(zone).tz_localize(None)


def when(ts: Any, tz: str | None = None) -> str:
    """A stored naive-UTC time as the company's local time in the reader's format; "–" for none."""
    value = local(ts, tz)
    return "–" if value is None else value.strftime(t("time.format"))


def when_column(values: Iterable[Any]) -> list[str]:
    return [when(v) for v in values]


def source_name(source: str | None) -> str:
    return charts.platform_name(source, lang())


def language_name(code: str | None) -> str:
    return charts.language_name(code, lang()) if isinstance(code, str) and code else "–"


def aspect_list(aspects: Iterable[str]) -> str:
    names = [i18n.name("aspect", a, lang()) for a in aspects]
    return ", ".join(names) if names else "–"


_ACCOUNT_ID = re.compile(r"^(urn:|did:)", re.IGNORECASE)


def author_name(author: str | None) -> str:
    """The author as a person reads it: a platform's raw account id (LinkedIn `urn:li:person:…`,
    Bluesky `did:plc:…`) becomes "a member", a missing one "unknown"."""
    if author is None or (isinstance(author, float) and pd.isna(author)) or not str(author).strip():
        return t("author.unknown")
    if _ACCOUNT_ID.match(str(author)):
        return t("author.organization" if ":organization:" in str(author) else "author.member")
    return str(author)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def md_escape(text: str | None) -> str:
    """Show user-written text literally inside st.markdown (no links, headings or HTML)."""
    return "" if text is None else _MD_SPECIAL.sub(r"\\\1", str(text))


def snippet(text: str | None, n: int = 140) -> str:
    s = " ".join(str(text or "").split())
    return s if len(s) <= n else s[: n - 1] + "…"


# --------------------------------------------------------------------------------------------
# Who may act: the login gate's answer (dashboard/auth.py), asked before showing a write action


def current_user() -> str | None:
    """The signed-in reader's name, recorded as "who did it" with every write."""
    user = auth.current_user()
    return user.name if user else None


def can_edit() -> bool:
    """Whether the reader has the editor role (label corrections, inbox actions)."""
    return auth.can_write()
