"""The weekly report's tables below the key figures, as rows of reader-ready text.

Why apart from `weekly.py`: each section reads the store for one ISO week and turns ids and
numbers into the reader's words (source, language, aspect and reply-quality component names from
the catalogue; durations with `fmt_duration`), so the template only lays them out and the tests can
check one section without a PDF. Everything is relative to the week and its `as_of` time (the end
of the week, or now for the running week), never to the wall clock, so a past week regenerates
identically from the same store.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import duckdb
import pandas as pd

from pipeline import charts
from pipeline.charts_quarterly import platform_name as stats_platform_name
from pipeline.i18n import fmt_date, fmt_duration, fmt_number, fmt_period, name, t
from pipeline.reports.kpis import fmt_count, fmt_hours, fmt_quality, fmt_rate
from pipeline.reports.summary import Candidate
from pipeline.store import queries
from pipeline.store.queries import report_week
from pipeline.store.queries.desk import desk_figures
from pipeline.store.queries.report_quarter import quarter_to_date
from pipeline.store.sla import sla_breached

OPEN_WEEKS = 5  # criticism still open from this week and the four before
MAX_OPEN = 25
FULL, NONE = 0.99, 0.01  # a reply-quality component's value counts as full / missing


def when(value: Any, lang: str) -> str:
    """A publication time for the tables: "22. nov. 14:00" (nb), "22 Nov 14:00" (en)."""
    ts = pd.Timestamp(value)
    return f"{fmt_date(ts.date(), lang, 'MMMd')} {ts:%H:%M}"


def snippet(text: Any, lang: str, n: int = 220) -> str:
    s = " ".join(str(text or "").split())
    return t("report.quote", lang, text=s if len(s) <= n else s[: n - 1] + "…")


def sources(cur: dict[str, Any], prev: dict[str, Any], lang: str) -> list[dict[str, str]]:
    """compute_metrics' per-source block with display names and last week's mentions (a source of
    last week that is silent this week is listed with 0)."""
    empty = {"mentions": 0, "criticisms": 0, "criticisms_responded": 0, "response_rate": None}
    rows = []
    for s in sorted(set(cur["by_source"]) | set(prev["by_source"])):
        v = cur["by_source"].get(s, empty)
        rows.append({"source": charts.platform_name(s, lang), "mentions": fmt_count(v["mentions"], lang),
                     "previous": fmt_count(prev["by_source"].get(s, empty)["mentions"], lang),
                     "criticisms": fmt_count(v["criticisms"], lang),
                     "responded": fmt_count(v["criticisms_responded"], lang), "rate": fmt_rate(v["response_rate"], lang)})
    return rows


def languages(con: duckdb.DuckDBPyConnection, monday: date, lang: str) -> list[dict[str, str]]:
    """Mentions and criticism per language of the week, languages by name."""
    df = report_week.by_language(con, monday, monday + timedelta(days=7))
    return [{"language": charts.language_name(r.language, lang), "mentions": fmt_count(r.mentions, lang),
             "criticisms": fmt_count(r.criticisms, lang)} for r in df.itertuples()]


def aspects(con: duckdb.DuckDBPyConnection, monday: date, lang: str) -> list[dict[str, str]]:
    """What this week's criticism is about: per aspect this week, the week before, answered."""
    cur = queries.criticism_aspects(con, monday, monday + timedelta(days=7))
    prev = queries.criticism_aspects(con, monday - timedelta(days=7), monday).set_index("aspect")["criticisms"]
    return [{"aspect": name("aspect", r.aspect, lang), "criticisms": fmt_count(r.criticisms, lang),
             "previous": fmt_count(int(prev.get(r.aspect, 0)), lang), "answered": fmt_count(r.answered, lang)}
            for r in cur.itertuples()]


def open_criticism(con: duckdb.DuckDBPyConnection, monday: date, as_of: datetime, sla: float,
                   lang: str) -> tuple[list[dict[str, Any]], int]:
    """Criticism from this week and the four before still unanswered at `as_of`, oldest (most
    overdue) first, with the time left to the SLA or how long overdue; and how many there are."""
    df = report_week.open_at(con, monday - timedelta(days=7 * (OPEN_WEEKS - 1)), monday + timedelta(days=7), as_of)
    rows = []
    for r in df.head(MAX_OPEN).itertuples():
        age = (as_of - pd.Timestamp(r.published_at).to_pydatetime()).total_seconds() / 3600
        late = sla_breached(age, sla)
        status = (t("report.open.overdue", lang, time=fmt_duration(age - sla, lang)) if late
                  else t("report.open.left", lang, time=fmt_duration(sla - age, lang)))
        later = None if pd.isna(r.responded_at) else t("report.open.answered_later", lang, when=when(r.responded_at, lang))
        rows.append({"source": charts.platform_name(r.source, lang), "published": when(r.published_at, lang),
                     "text": snippet(r.text, lang, 160), "status": status, "late": late, "later": later})
    return rows, len(df)


def _components(raw: Any, lang: str) -> list[dict[str, str]]:
    """A reply's quality components: name, how far it was met, and the explanation of those not met."""
    out = []
    for c in queries.quality_components(raw).itertuples():
        value = float(c.value) if c.value is not None and not pd.isna(c.value) else 0.0
        level = "full" if value >= FULL else "none" if value <= NONE else "part"
        out.append({"name": name("quality.name", c.component, lang), "level": level,
                    "met": t(f"report.replies.level.{level}", lang),
                    "explain": "" if level == "full" else name("quality.component", c.component, lang)})
    return out


def replies(con: duckdb.DuckDBPyConnection, monday: date, lang: str) -> list[dict[str, Any]]:
    """The best and the worst scored reply to this week's criticism (one when only one was scored)."""
    df = report_week.scored_replies(con, monday, monday + timedelta(days=7))
    picks = [("best", 0)] + ([("worst", len(df) - 1)] if len(df) > 1 else [])
    out = []
    for which, i in picks if not df.empty else []:
        r = df.iloc[i]
        out.append({"which": t(f"report.replies.{which}", lang), "source": charts.platform_name(r["source"], lang),
                    "published": when(r["published_at"], lang), "criticism": snippet(r["text"], lang, 160),
                    "reply": snippet(r["reply_text"], lang, 200), "quality": fmt_quality(r["quality"], lang),
                    "delay": fmt_duration(r["delay_hours"], lang), "components": _components(r["quality_components"], lang)})
    return out


def desk(con: duckdb.DuckDBPyConnection, monday: date, lang: str) -> dict[str, str] | None:
    """The reply desk's figures for this week's criticism (the same `desk_figures` as the dashboard's
    Responses page): drafts and their states, median time from the criticism to its first draft, to
    approval and to posting, and the quality of desk replies against those written outside the desk.
    None when no draft was written for this week's criticism (the report then leaves the section out)."""
    f = desk_figures(con, monday, monday + timedelta(days=7))
    if not f["drafts"]:
        return None
    states = ", ".join(f"{name('replydesk.state', s, lang)} {fmt_count(n, lang)}" for s, n in sorted(f["by_state"].items()))
    return {"drafts": fmt_count(f["drafts"], lang), "states": states,
            "to_draft": fmt_hours(f["hours_to_draft"], lang), "to_approval": fmt_hours(f["hours_to_approval"], lang),
            "to_posting": fmt_hours(f["hours_to_posting"], lang),
            "quality_desk": fmt_quality(f["quality_desk"], lang), "replies_desk": fmt_count(f["replies_desk"], lang),
            "quality_outside": fmt_quality(f["quality_outside"], lang),
            "replies_outside": fmt_count(f["replies_outside"], lang)}


def change_candidates(con: duckdb.DuckDBPyConnection, monday: date, cur: dict[str, Any], prev: dict[str, Any],
                      lang: str) -> list[Candidate]:
    """The candidates for the biggest change (see `pipeline.reports.summary`): each source's mentions
    and each aspect's criticism against the week before, the busiest day's criticism against the
    average day of the four weeks before."""
    out = [Candidate("source", charts.platform_name(s, lang), cur["by_source"].get(s, {}).get("mentions", 0),
                     prev["by_source"].get(s, {}).get("mentions", 0))
           for s in sorted(set(cur["by_source"]) | set(prev["by_source"]))]
    next_monday = monday + timedelta(days=7)
    now_aspects = queries.criticism_aspects(con, monday, next_monday).set_index("aspect")["criticisms"]
    prev_aspects = queries.criticism_aspects(con, monday - timedelta(days=7), monday).set_index("aspect")["criticisms"]
    out += [Candidate("aspect", name("aspect", a, lang), int(now_aspects.get(a, 0)), int(prev_aspects.get(a, 0)))
            for a in sorted(set(now_aspects.index) | set(prev_aspects.index))]
    days = report_week.criticism_per_day(con, monday, next_monday)
    if days:
        day, count = min(days.items(), key=lambda kv: (-kv[1], kv[0]))
        earlier = report_week.criticism_per_day(con, monday - timedelta(days=28), monday)
        out.append(Candidate("spike", fmt_date(day, lang, "EEEEdMMMM"), count, sum(earlier.values()) / 28))
    return out


def within_sla(con: duckdb.DuckDBPyConnection, monday: date, sla: float) -> tuple[int, int]:
    """(answered within the SLA, answered) for this week's criticism, by the one SLA rule."""
    delays = queries.responded_criticisms(con, monday, monday + timedelta(days=7))["delay_hours"].dropna()
    return sum(not sla_breached(float(d), sla) for d in delays), len(delays)


def quarter(con: duckdb.DuckDBPyConnection, monday: date, lang: str) -> dict[str, Any]:
    """The quarterly comparison for the week's quarter from its first day to the end of the week."""
    q = queries.quarter_of(monday)
    df = quarter_to_date(con, q, monday + timedelta(days=7))
    rows = []
    for r in df.to_dict("records"):
        rep = r["representation"]
        verdict = ("–" if pd.isna(rep) else t("quarterly.over", lang) if rep > 1.1
                   else t("quarterly.under", lang) if rep < 0.9 else t("quarterly.even", lang))
        rows.append({"platform": stats_platform_name(r["platform"], lang), "mentions": fmt_count(r["mentions"], lang),
                     "mention_share": fmt_rate(_num(r["mention_share"]), lang),
                     "reach_share": fmt_rate(_num(r["reach_share"]), lang),
                     "representation": fmt_number(_num(rep), lang, 2), "verdict": None if pd.isna(rep) else verdict,
                     "negative_share": fmt_rate(_num(r["negative_share"]), lang),
                     "response_rate": fmt_rate(_num(r["response_rate"]), lang),
                     "median": fmt_hours(_num(r["median_response_hours"]), lang)})
    sources = sorted({str(s) for s in df.get("reach_source", pd.Series(dtype=str)).dropna()})
    first, end = queries.quarter_bounds(q)
    last = min(monday + timedelta(days=6), end - timedelta(days=1))  # a week across the quarter's end
    return {"quarter": q, "period": fmt_period(first, last, lang), "rows": rows,
            "sources": "; ".join(sources),
            "has_reach": bool(df["reach_share"].notna().any()) if not df.empty else False}


def _num(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else float(v)
