"""Read-side queries for the dashboard and the weekly report.

Every function takes a DuckDB connection (normally a short-lived read-only connection to the
published snapshot, see `read_snapshot`) and returns plain pandas DataFrames or dicts. The KPIs are
never recomputed here: `kpis`, `weekly_trend`, `by_source` and `quarterly_comparison` call
`pipeline.store.metrics.compute_metrics`, the one implementation of SPEC §4, so the dashboard, the
report and `rykte metrics --json` always agree.

Conventions: a *window* is `since <= published_at < until` (naive UTC, dates are midnights); a
*criticism* is a non-official mention with `is_criticism` true (set by `metrics.refresh_criticism`);
it is *answered* when `responses.response_id` is set. Open criticism ages on the 24/7 clock, the
same clock as the SPEC's first-response time.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd

from pipeline.errors import RykteError
from pipeline.store.metrics import compute_metrics, window_bound
from pipeline.store.snapshot import open_snapshot

T = TypeVar("T")

DEFAULT_SLA_HOURS = 24.0
DEFAULT_WINDOW_DAYS = 30


class NoSnapshotError(RykteError):
    """No snapshot has been published yet (the service has not run)."""


# --------------------------------------------------------------------------------------------
# Snapshot access


def snapshot_key(path: Path) -> tuple[int, int, int] | None:
    """(inode, mtime_ns, size) of the snapshot file, or None if none is published.

    A new publish replaces the file (new inode), so this is the cache key for dashboard queries.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def read_snapshot(path: Path, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Open the snapshot read-only, run one query function on it, close it at once."""
    if not Path(path).exists():
        raise NoSnapshotError(f"{path}: no snapshot published yet (run `rykte run` or `rykte import`)")
    with open_snapshot(Path(path)) as con:
        return fn(con, *args, **kwargs)


# --------------------------------------------------------------------------------------------
# Helpers


def _window_sql(since: date | datetime | None, until: date | datetime | None, source: str | None,
                alias: str = "m") -> tuple[str, list[Any]]:
    where: list[str] = ["true"]
    params: list[Any] = []
    if since is not None:
        where.append(f"{alias}.published_at >= ?")
        params.append(window_bound(since))
    if until is not None:
        where.append(f"{alias}.published_at < ?")
        params.append(window_bound(until))
    if source is not None:
        where.append(f"{alias}.source = ?")
        params.append(source)
    return " AND ".join(where), params


def aspect_names(raw: Any) -> list[str]:
    """The aspect names in a mention's `aspects` JSON (list of {"aspect", "term"} or of strings)."""
    if raw is None or (isinstance(raw, float) and pd.isna(raw)):
        return []
    try:
        items = json.loads(raw) if isinstance(raw, str) else raw
    except (TypeError, ValueError):
        return []
    names: list[str] = []
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        return []
    for it in items:
        name = it.get("aspect") if isinstance(it, dict) else it
        if isinstance(name, str) and name and name not in names:
            names.append(name)
    return names


def iso_week(d: date | datetime) -> str:
    y, w, _ = (d.date() if isinstance(d, datetime) else d).isocalendar()
    return f"{y}-W{w:02d}"


def week_start(d: date | datetime) -> date:
    dd = d.date() if isinstance(d, datetime) else d
    return dd - timedelta(days=dd.weekday())


def _weeks(since: date, until: date) -> Iterator[tuple[date, date, date]]:
    """(week monday, clipped start, clipped end) for each ISO week overlapping [since, until)."""
    monday = week_start(since)
    while monday < until:
        nxt = monday + timedelta(days=7)
        yield monday, max(monday, since), min(nxt, until)
        monday = nxt


def quarter_of(d: date | datetime) -> str:
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")


def quarter_bounds(quarter: str) -> tuple[date, date]:
    m = QUARTER_RE.match(quarter)
    if not m:
        raise ValueError(f"not a quarter (YYYY-Qn): {quarter!r}")
    year, q = int(m.group(1)), int(m.group(2))
    start = date(year, 3 * (q - 1) + 1, 1)
    end = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return start, end


# --------------------------------------------------------------------------------------------
# Window, sources, freshness


def sources(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT DISTINCT source FROM mentions ORDER BY source").fetchall()]


def data_bounds(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """First/last published date, number of mentions and the last update time."""
    row = con.execute(
        "SELECT min(published_at), max(published_at), count(*), max(updated_at) FROM mentions"
    ).fetchone()
    assert row is not None
    return {"first": row[0], "last": row[1], "mentions": int(row[2]), "updated_at": row[3]}


def default_window(con: duckdb.DuckDBPyConnection, today: date, days: int = DEFAULT_WINDOW_DAYS) -> tuple[date, date]:
    """The dashboard's initial window: the last `days` days up to and including today (or the last
    mention, if it is later)."""
    last = data_bounds(con)["last"]
    end = max(today, last.date()) if last is not None else today
    until = end + timedelta(days=1)
    return until - timedelta(days=days), until


# --------------------------------------------------------------------------------------------
# KPIs (always through compute_metrics)


def kpis(con: duckdb.DuckDBPyConnection, since: date | datetime | None = None,
         until: date | datetime | None = None, source: str | None = None) -> dict[str, Any]:
    """The SPEC §4 object: exactly `compute_metrics`."""
    return compute_metrics(con, since, until, source)


def kpis_with_previous(con: duckdb.DuckDBPyConnection, since: date, until: date,
                       source: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """KPIs of the window and of the equally long window just before it (for deltas)."""
    span = until - since
    return compute_metrics(con, since, until, source), compute_metrics(con, since - span, since, source)


def weekly_trend(con: duckdb.DuckDBPyConnection, since: date, until: date,
                 source: str | None = None) -> pd.DataFrame:
    """One row per ISO week in the window (weeks clipped to the window), from compute_metrics."""
    rows = []
    for monday, start, end in _weeks(since, until):
        k = compute_metrics(con, start, end, source)
        rows.append({
            "week": iso_week(monday),
            "week_start": pd.Timestamp(monday),
            "mentions": k["mentions"],
            "criticisms": k["criticisms"],
            "criticisms_responded": k["criticisms_responded"],
            "response_rate": k["response_rate"],
            "median_first_response_hours": k["first_response_hours"]["median"],
            "p90_first_response_hours": k["first_response_hours"]["p90"],
            "quality_mean": k["quality_mean"],
        })
    cols = ["week", "week_start", "mentions", "criticisms", "criticisms_responded", "response_rate",
            "median_first_response_hours", "p90_first_response_hours", "quality_mean"]
    return pd.DataFrame(rows, columns=cols)


def by_source(con: duckdb.DuckDBPyConnection, since: date | datetime | None = None,
              until: date | datetime | None = None, source: str | None = None) -> pd.DataFrame:
    """The per-source block of compute_metrics, plus each source's median first response."""
    k = compute_metrics(con, since, until, source)
    rows = []
    for src, v in k["by_source"].items():
        one = compute_metrics(con, since, until, src)
        rows.append({"source": src, "mentions": v["mentions"], "criticisms": v["criticisms"],
                     "criticisms_responded": v["criticisms_responded"],
                     "response_rate": v["response_rate"],
                     "median_first_response_hours": one["first_response_hours"]["median"],
                     "quality_mean": one["quality_mean"]})
    return pd.DataFrame(rows, columns=["source", "mentions", "criticisms", "criticisms_responded",
                                       "response_rate", "median_first_response_hours", "quality_mean"])


# --------------------------------------------------------------------------------------------
# Criticism inbox and threads

_CRITICISM_SQL = """
SELECT m.id, m.source, m.author, m.published_at, coalesce(m.language, m.lang) AS language,
       m.rating, m.sentiment, m.p_negative, m.aspects, m.title, m.text, m.url, m.thread_id,
       r.response_id, r.responded_at, r.delay_hours, r.business_delay_hours,
       coalesce(r.clock_anomaly, false) AS clock_anomaly, r.sla_breached AS stored_sla_breached,
       r.quality, r.quality_components, r.outcome
FROM mentions m LEFT JOIN responses r ON r.mention_id = m.id
WHERE NOT m.official AND coalesce(m.is_criticism, false) AND {cond}
"""

INBOX_COLUMNS = ["id", "source", "author", "published_at", "language", "rating", "sentiment",
                 "p_negative", "aspects", "title", "text", "url", "thread_id", "status", "age_hours",
                 "sla_breached", "response_id", "responded_at", "delay_hours", "business_delay_hours",
                 "clock_anomaly", "quality", "quality_components", "outcome"]


def criticism_inbox(
    con: duckdb.DuckDBPyConnection,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    source: str | None = None,
    *,
    now: datetime,
    sla_hours: float = DEFAULT_SLA_HOURS,
    status: str | None = None,
    language: str | None = None,
    aspect: str | None = None,
) -> pd.DataFrame:
    """Criticism in the window: open first (oldest first, with age and SLA breach), then answered
    (newest first, with delay, quality and outcome).

    `status` is "open", "answered" or None (both); `language` and `aspect` filter further. `now` is
    naive UTC; `age_hours` is how long an open criticism has waited (None when answered).
    """
    cond, params = _window_sql(since, until, source)
    df = con.execute(_CRITICISM_SQL.format(cond=cond), params).df()
    if df.empty:
        return pd.DataFrame(columns=INBOX_COLUMNS)
    df["aspects"] = df["aspects"].map(aspect_names)
    answered = df["response_id"].notna()
    df["status"] = answered.map({True: "answered", False: "open"})
    age = (pd.Timestamp(now) - pd.to_datetime(df["published_at"])).dt.total_seconds() / 3600.0
    df["age_hours"] = age.where(~answered).clip(lower=0).astype("Float64")
    delay = df["delay_hours"].astype("Float64")
    stored = df["stored_sla_breached"].astype("boolean")
    answered_breach = stored.fillna(delay > sla_hours).fillna(False)
    df["sla_breached"] = answered_breach.where(answered, df["age_hours"] > sla_hours).fillna(False).astype(bool)
    if status in ("open", "answered"):
        df = df[df["status"] == status]
    if language:
        df = df[df["language"] == language]
    if aspect:
        df = df[df["aspects"].map(lambda a: aspect in a)]
    open_part = df[df["status"] == "open"].sort_values(["published_at", "id"])
    ans_part = df[df["status"] == "answered"].sort_values(["published_at", "id"], ascending=False)
    out = pd.concat([open_part, ans_part]) if not open_part.empty or not ans_part.empty else df
    return out[INBOX_COLUMNS].reset_index(drop=True)


def open_past_sla(con: duckdb.DuckDBPyConnection, *, now: datetime, sla_hours: float = DEFAULT_SLA_HOURS,
                  until: date | datetime | None = None, source: str | None = None) -> pd.DataFrame:
    """Every unanswered criticism published before `until` whose age at `now` exceeds the SLA."""
    df = criticism_inbox(con, None, until, source, now=now, sla_hours=sla_hours, status="open")
    return df[df["sla_breached"]].reset_index(drop=True)


# Plain-language explanations of reply-quality components (names from pipeline.responses.quality).
COMPONENT_EXPLANATIONS: dict[str, str] = {  # the components of pipeline/responses/quality.py
    "acknowledge": "Svaret anerkjenner problemet og takker for tilbakemeldingen.",
    "empathy": "Svaret viser forståelse, og beklager der bedriften har skyld.",
    "account": "Svaret forklarer hva som skjedde uten å legge skylda på kritikeren.",
    "action": "Svaret sier hva som skjer videre eller hva som rettes opp.",
    "private_channel": "Svaret flytter saken til en privat kanal med en navngitt kontaktperson.",
    "personal": "Svaret er personlig, ikke et standardsvar som går igjen i mange svar.",
    "specific": "Svaret tar opp de konkrete punktene i kritikken.",
    "language": "Svaret er skrevet på kritikerens språk.",
    "tone": "Svaret har en profesjonell tone, uten forsvar eller avfeiing.",
    "modesty": "Svaret er ærlig og nøkternt, uten en haug av superlativer.",
    "length": "Svaret har en fornuftig lengde.",
}


def quality_components(raw: Any) -> pd.DataFrame:
    """`responses.quality_components` JSON → one row per component with an explanation."""
    cols = ["component", "value", "weight", "evidence", "explanation"]
    if raw is None or (isinstance(raw, float) and pd.isna(raw)):
        return pd.DataFrame(columns=cols)
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
    except (TypeError, ValueError):
        return pd.DataFrame(columns=cols)
    rows = []
    items = data.items() if isinstance(data, dict) else (
        ((d.get("name") or d.get("component"), d) for d in data if isinstance(d, dict))
        if isinstance(data, list) else [])
    for name, v in items:
        if isinstance(v, dict):
            value, weight, evidence = v.get("value", v.get("score")), v.get("weight"), v.get("evidence")
        else:
            value, weight, evidence = v, None, None
        if isinstance(evidence, list | tuple):
            evidence = ", ".join(str(e) for e in evidence)
        key = str(name)
        rows.append({"component": key, "value": value, "weight": weight,
                     "evidence": None if evidence is None else str(evidence),
                     "explanation": COMPONENT_EXPLANATIONS.get(key.lower(), "")})
    return pd.DataFrame(rows, columns=cols)


def thread_view(con: duckdb.DuckDBPyConnection, mention_id: int) -> dict[str, Any] | None:
    """The whole thread of one mention, the company's replies marked, and its response details.

    Returns {"mention": dict, "thread": DataFrame, "response": dict | None,
    "components": DataFrame} or None if the mention is not in the store.
    """
    row = con.execute("SELECT source, thread_id, external_id FROM mentions WHERE id = ?",
                      [mention_id]).fetchone()
    if row is None:
        return None
    src, thread, ext = row
    thread_df = con.execute(
        """
        SELECT id, external_id, parent_id, author, official, published_at, title, text, url,
               coalesce(language, lang) AS language, rating, sentiment, coalesce(is_criticism, false)
               AS is_criticism
        FROM mentions
        WHERE source = ? AND (thread_id = ? OR external_id = ? OR id = ?)
        ORDER BY published_at, id
        """,
        [src, thread if thread is not None else ext, thread if thread is not None else ext, mention_id],
    ).df()
    resp = con.execute(
        """SELECT response_id, responded_at, delay_hours, business_delay_hours, clock_anomaly,
                  sla_breached, quality, quality_components, followup_id, followup_sentiment, outcome
           FROM responses WHERE mention_id = ?""",
        [mention_id],
    ).fetchone()
    response: dict[str, Any] | None = None
    if resp is not None:
        keys = ["response_id", "responded_at", "delay_hours", "business_delay_hours", "clock_anomaly",
                "sla_breached", "quality", "quality_components", "followup_id", "followup_sentiment",
                "outcome"]
        response = dict(zip(keys, resp, strict=True))
    first_response = response["response_id"] if response else None
    parents = dict(zip(thread_df["external_id"], thread_df["parent_id"], strict=True))

    def depth(ext_id: str) -> int:
        d, cur, seen = 0, parents.get(ext_id), set()
        while cur is not None and cur in parents and cur not in seen and d < 200:
            seen.add(cur)
            d, cur = d + 1, parents.get(cur)
        return d

    thread_df["depth"] = thread_df["external_id"].map(depth)
    thread_df["is_target"] = thread_df["id"] == mention_id
    thread_df["is_first_response"] = thread_df["id"] == first_response
    mention = thread_df[thread_df["is_target"]].iloc[0].to_dict()
    mention["aspects"] = aspect_names(con.execute("SELECT aspects FROM mentions WHERE id = ?",
                                                  [mention_id]).fetchone()[0])  # type: ignore[index]
    return {"mention": mention, "thread": thread_df, "response": response,
            "components": quality_components(response["quality_components"] if response else None)}


# --------------------------------------------------------------------------------------------
# Distributions


def sentiment_by_language(con: duckdb.DuckDBPyConnection, since: date | datetime | None = None,
                          until: date | datetime | None = None, source: str | None = None) -> pd.DataFrame:
    """Non-official mentions counted by detected language and sentiment label."""
    cond, params = _window_sql(since, until, source)
    return con.execute(
        f"""
        SELECT coalesce(m.language, m.lang, 'ukjent') AS language,
               coalesce(m.sentiment, 'ikke analysert') AS sentiment, count(*) AS mentions
        FROM mentions m WHERE NOT m.official AND {cond}
        GROUP BY ALL ORDER BY language, sentiment
        """,
        params,
    ).df()


def criticism_aspects(con: duckdb.DuckDBPyConnection, since: date | datetime | None = None,
                      until: date | datetime | None = None, source: str | None = None) -> pd.DataFrame:
    """What criticism is about: per aspect, the number of criticisms and how many were answered."""
    cond, params = _window_sql(since, until, source)
    rows = con.execute(
        f"""SELECT m.aspects, r.response_id IS NOT NULL
            FROM mentions m LEFT JOIN responses r ON r.mention_id = m.id
            WHERE NOT m.official AND coalesce(m.is_criticism, false) AND {cond}""",
        params,
    ).fetchall()
    counts: dict[str, list[int]] = {}
    for raw, responded in rows:
        for name in aspect_names(raw):
            c = counts.setdefault(name, [0, 0])
            c[0] += 1
            c[1] += int(bool(responded))
    df = pd.DataFrame([{"aspect": a, "criticisms": c[0], "answered": c[1]} for a, c in counts.items()],
                      columns=["aspect", "criticisms", "answered"])
    return df.sort_values(["criticisms", "aspect"], ascending=[False, True]).reset_index(drop=True)


def languages(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT DISTINCT coalesce(language, lang) AS l FROM mentions WHERE l IS NOT NULL ORDER BY l"
    ).fetchall()]


def all_aspects(con: duckdb.DuckDBPyConnection) -> list[str]:
    names: set[str] = set()
    for (raw,) in con.execute("SELECT DISTINCT aspects FROM mentions WHERE aspects IS NOT NULL").fetchall():
        names.update(aspect_names(raw))
    return sorted(names)


def responded_criticisms(con: duckdb.DuckDBPyConnection, since: date | datetime | None = None,
                         until: date | datetime | None = None, source: str | None = None) -> pd.DataFrame:
    """One row per answered criticism: delay (24/7 and business hours), SLA, quality, outcome."""
    cond, params = _window_sql(since, until, source)
    return con.execute(
        f"""
        SELECT m.id, m.source, m.published_at, r.delay_hours, r.business_delay_hours,
               r.clock_anomaly, r.sla_breached, r.quality, coalesce(r.outcome, 'unknown') AS outcome
        FROM mentions m JOIN responses r ON r.mention_id = m.id
        WHERE NOT m.official AND coalesce(m.is_criticism, false) AND r.response_id IS NOT NULL AND {cond}
        ORDER BY m.published_at
        """,
        params,
    ).df()


QUALITY_BINS = [0.0, 20.0, 40.0, 60.0, 80.0, 100.0001]
QUALITY_LABELS = ["0–20", "20–40", "40–60", "60–80", "80–100"]
DELAY_BINS = [0.0, 1.0, 4.0, 8.0, 24.0, 72.0, float("inf")]
DELAY_LABELS = ["< 1 t", "1–4 t", "4–8 t", "8–24 t", "1–3 døgn", "> 3 døgn"]


def quality_distribution(con: duckdb.DuckDBPyConnection, since: date | datetime | None = None,
                         until: date | datetime | None = None, source: str | None = None) -> pd.DataFrame:
    """Answered criticism counted per quality band (0..100 in steps of 20)."""
    df = responded_criticisms(con, since, until, source)
    q = df["quality"].dropna().astype(float)
    bands = pd.cut(q, QUALITY_BINS, labels=QUALITY_LABELS, right=False, include_lowest=True)
    counts = bands.value_counts().reindex(QUALITY_LABELS, fill_value=0)
    return pd.DataFrame({"band": QUALITY_LABELS, "answered": counts.to_numpy().astype(int)})


def delay_distribution(con: duckdb.DuckDBPyConnection, since: date | datetime | None = None,
                       until: date | datetime | None = None, source: str | None = None) -> pd.DataFrame:
    """Answered criticism counted per first-response delay band (24/7 clock)."""
    df = responded_criticisms(con, since, until, source)
    d = df["delay_hours"].dropna().astype(float)
    bands = pd.cut(d, DELAY_BINS, labels=DELAY_LABELS, right=False, include_lowest=True)
    counts = bands.value_counts().reindex(DELAY_LABELS, fill_value=0)
    return pd.DataFrame({"band": DELAY_LABELS, "answered": counts.to_numpy().astype(int)})


def outcomes(con: duckdb.DuckDBPyConnection, since: date | datetime | None = None,
             until: date | datetime | None = None, source: str | None = None) -> pd.DataFrame:
    """Answered criticism counted per outcome (resolved / unresolved / no_followup / unknown)."""
    df = responded_criticisms(con, since, until, source)
    order = ["resolved", "unresolved", "no_followup", "unknown"]
    counts = df["outcome"].value_counts()
    rows = [{"outcome": o, "answered": int(counts.get(o, 0))} for o in order]
    rows += [{"outcome": o, "answered": int(n)} for o, n in counts.items() if o not in order]
    return pd.DataFrame(rows, columns=["outcome", "answered"])


def _normalise_reply(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def template_replies(con: duckdb.DuckDBPyConnection, since: date | datetime | None = None,
                     until: date | datetime | None = None, source: str | None = None,
                     min_count: int = 2) -> pd.DataFrame:
    """Official replies whose (whitespace/case-normalised) text is reused `min_count` times or more."""
    cond, params = _window_sql(since, until, source)
    rows = con.execute(
        f"SELECT m.text, m.source, m.published_at FROM mentions m WHERE m.official AND {cond}", params
    ).fetchall()
    groups: dict[str, dict[str, Any]] = {}
    for text, src, published in rows:
        g = groups.setdefault(_normalise_reply(text), {"text": text, "uses": 0, "sources": set(),
                                                         "last_used": published})
        g["uses"] += 1
        g["sources"].add(src)
        g["last_used"] = max(g["last_used"], published)
    out = [{"text": g["text"], "uses": g["uses"], "sources": ", ".join(sorted(g["sources"])),
            "last_used": g["last_used"]} for g in groups.values() if g["uses"] >= min_count]
    df = pd.DataFrame(out, columns=["text", "uses", "sources", "last_used"])
    return df.sort_values(["uses", "last_used"], ascending=False).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Crawl health


def crawl_health(con: duckdb.DuckDBPyConnection, *, now: datetime,
                 stale_after_hours: dict[str, float] | None = None,
                 default_stale_hours: float = 72.0) -> pd.DataFrame:
    """Per configured source name: last run, its status/items/errors, last success, freshness.

    Freshness is "stale" when the last successful (ok/partial) run is older than the source's
    limit: `stale_after_hours[name]` if given, else 3 × the median interval between its runs (at
    least one hour), else `default_stale_hours`.
    """
    runs = con.execute(
        """SELECT source_name, started_at, finished_at, items, new_items, errors, error_samples, status
           FROM crawl_runs ORDER BY source_name, started_at"""
    ).df()
    cols = ["source_name", "last_started", "last_status", "last_items", "last_new_items", "last_errors",
            "last_success", "hours_since_success", "runs", "runs_failed", "items_total", "errors_total",
            "stale_limit_hours", "freshness", "error_samples"]
    if runs.empty:
        return pd.DataFrame(columns=cols)
    out = []
    for name, g in runs.groupby("source_name", sort=True):
        g = g.sort_values("started_at")
        last = g.iloc[-1]
        ok = g[g["status"].isin(["ok", "partial"])]
        last_success = ok["finished_at"].fillna(ok["started_at"]).max() if not ok.empty else None
        if stale_after_hours and name in stale_after_hours:
            limit = float(stale_after_hours[str(name)])
        elif len(g) >= 2:
            gaps = g["started_at"].diff().dropna().dt.total_seconds() / 3600.0
            limit = max(1.0, 3 * float(gaps.median()))
        else:
            limit = default_stale_hours
        since_ok = None if last_success is None or pd.isna(last_success) else \
            (pd.Timestamp(now) - pd.Timestamp(last_success)).total_seconds() / 3600.0
        samples: list[str] = []
        raw = last["error_samples"]
        if isinstance(raw, str) and raw:
            try:
                samples = [str(s) for s in json.loads(raw)][:5]
            except ValueError:
                samples = [raw]
        out.append({
            "source_name": name, "last_started": last["started_at"], "last_status": last["status"],
            "last_items": int(last["items"]), "last_new_items": int(last["new_items"]),
            "last_errors": int(last["errors"]), "last_success": last_success,
            "hours_since_success": since_ok, "runs": len(g),
            "runs_failed": int((g["status"] == "failed").sum()),
            "items_total": int(g["items"].sum()), "errors_total": int(g["errors"].sum()),
            "stale_limit_hours": limit,
            "freshness": "ok" if since_ok is not None and since_ok <= limit else "stale",
            "error_samples": "; ".join(samples),
        })
    return pd.DataFrame(out, columns=cols)


# --------------------------------------------------------------------------------------------
# Quarterly comparison


def quarterly_stats(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The imported social-media statistics, long format."""
    return con.execute(
        "SELECT quarter, platform, metric, value FROM quarterly_stats ORDER BY quarter, platform, metric"
    ).df()


def quarterly_comparison(con: duckdb.DuckDBPyConnection, source: str | None = None,
                         max_quarters: int = 8) -> pd.DataFrame:
    """Our KPIs per quarter (compute_metrics over the quarter) beside the imported statistics.

    Quarters: those with imported statistics or with mentions, the latest `max_quarters`. The
    statistics become one column per "platform metric".
    """
    quarters: set[str] = set(quarterly_stats(con)["quarter"])
    for (d,) in con.execute(
        "SELECT DISTINCT date_trunc('quarter', published_at) FROM mentions"
    ).fetchall():
        quarters.add(quarter_of(d))
    chosen = sorted(quarters)[-max_quarters:]
    rows = []
    for q in chosen:
        start, end = quarter_bounds(q)
        k = compute_metrics(con, start, end, source)
        rows.append({"quarter": q, "mentions": k["mentions"], "criticisms": k["criticisms"],
                     "response_rate": k["response_rate"],
                     "median_first_response_hours": k["first_response_hours"]["median"],
                     "quality_mean": k["quality_mean"]})
    ours = pd.DataFrame(rows, columns=["quarter", "mentions", "criticisms", "response_rate",
                                       "median_first_response_hours", "quality_mean"])
    stats = quarterly_stats(con)
    if stats.empty or ours.empty:
        return ours
    stats["column"] = stats["platform"] + " " + stats["metric"]
    wide = stats.pivot_table(index="quarter", columns="column", values="value", aggfunc="last")
    wide.columns.name = None
    return ours.merge(wide.reset_index(), on="quarter", how="left")


# --------------------------------------------------------------------------------------------
# Reports listing


def reports(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT week, pdf_path, html_path, created_at, sent_at, last_error FROM reports ORDER BY week DESC"
    ).df()
