"""The weekly report: Jinja2 HTML + Altair charts (PNG via vl-convert, offline) + WeasyPrint PDF.

`build_report` writes `<reports_dir>/YYYY-Www.html` and `.pdf` for one ISO week (default: the last
complete week), records the row in `reports`, and returns the paths. Every KPI in it comes from
`compute_metrics(con, monday, next_monday)` — the same numbers as the dashboard and
`rykte metrics --json`. The language is `reports.language` (nb or en): every text comes from the
message catalogue (`pipeline/i18n/report.yaml`), every number and date from its locale formats.

`send_report` delivers the PDF through apprise to each recipient URL and returns the errors.
"""

from __future__ import annotations

import base64
import logging
import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from pipeline import charts
from pipeline.config.model import RykteConfig
from pipeline.errors import InputError, RykteError
from pipeline.i18n import fmt_date, fmt_duration, fmt_number, fmt_period, name, t
from pipeline.reports.kpis import fmt_count, fmt_quality, fmt_rate, kpi_rows, summary
from pipeline.store import queries
from pipeline.store.metrics import compute_metrics
from pipeline.store.queries.responses import DELAY_BINS

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"
WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")
TOP_CRITICISMS = 10
MAX_OVERDUE = 25
TREND_WEEKS = 8


@dataclass(frozen=True)
class ReportPaths:
    html: Path
    pdf: Path
    week: str
    lang: str = "nb"


def parse_week(week: str) -> date:
    """`YYYY-Www` → that ISO week's Monday; `InputError` naming the bad value otherwise."""
    m = WEEK_RE.match(week.strip()) if isinstance(week, str) else None
    if not m:
        raise InputError(f"--week {week!r}: expected an ISO week like 2026-W07")
    try:
        return date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise InputError(f"--week {week!r}: year {m.group(1)} has no ISO week {int(m.group(2))}") from None


def last_complete_week(now: datetime) -> str:
    """The ISO week before the one `now` (UTC) falls in."""
    return queries.iso_week(now.date() - timedelta(days=7))


def _naive_utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC).replace(tzinfo=None)
    return now.astimezone(UTC).replace(tzinfo=None) if now.tzinfo else now


def _png_data_uri(chart: Any) -> str:
    import vl_convert as vlc

    png = vlc.vegalite_to_png(vl_spec=chart.to_json(), scale=2)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _snippet(text: Any, lang: str, n: int = 220) -> str:
    s = " ".join(str(text or "").split())
    return t("report.quote", lang, text=s if len(s) <= n else s[: n - 1] + "…")


def _when(value: Any, lang: str) -> str:
    """A publication time for the tables: "22. nov. 14:00" (nb), "22 Nov 14:00" (en)."""
    ts = pd.Timestamp(value)
    return f"{fmt_date(ts.date(), lang, 'MMMd')} {ts:%H:%M}"


def _generated(now: datetime, lang: str) -> str:
    return f"{fmt_date(now.date(), lang)} {now:%H:%M}"


def delay_bands(lang: str) -> list[str]:
    """The first-response delay bands of `queries.delay_distribution` in the reader's words:
    "< 1 t", "8–24 t", "1–3 døgn" (nb); "< 1 h", "8–24 h", "1–3 d" (en)."""
    labels = []
    for lo, hi in pairwise(DELAY_BINS):
        days = lo >= 24
        unit = "report.unit.days" if days else "duration.hours"
        a, b = (fmt_number(x / 24 if days else x, lang) for x in (lo, hi if hi != float("inf") else lo))
        n = f"< {b}" if lo == 0 else f"> {a}" if hi == float("inf") else f"{a}–{b}"
        labels.append(t(unit, lang, n=n))
    return labels


def chart_specs(con: duckdb.DuckDBPyConnection, monday: date, lang: str) -> dict[str, Any]:
    """The report's three Altair charts in `lang`; None where there is nothing to draw (the template
    then says so in words instead of showing an empty picture)."""
    next_monday = monday + timedelta(days=7)
    trend = queries.weekly_trend(con, monday - timedelta(days=7 * (TREND_WEEKS - 1)), next_monday)
    delay = queries.delay_distribution(con, monday, next_monday)
    delay = delay.assign(band=delay_bands(lang))
    quality = queries.quality_distribution(con, monday, next_monday)
    specs: dict[str, Any] = {"trend": None, "delay": None, "quality": None}
    if not trend.empty and int(trend["mentions"].sum()):
        specs["trend"] = charts.weekly_trend_chart(
            trend, title=t("report.chart.trend", lang, weeks=TREND_WEEKS), lang=lang).properties(width=620, height=200)
    if int(delay["answered"].sum()):
        specs["delay"] = charts.band_chart(
            delay, "band", "answered", title=t("report.chart.delay", lang),
            x_title=t("report.chart.delay_axis", lang), lang=lang).properties(width=280)
    if int(quality["answered"].sum()):
        specs["quality"] = charts.band_chart(
            quality, "band", "answered", title=t("report.chart.quality", lang),
            x_title=t("report.chart.quality_axis", lang), colour=charts.GREEN, lang=lang).properties(width=280)
    return specs


def _top_criticisms(crit: pd.DataFrame, lang: str) -> list[dict[str, Any]]:
    """The most critical mentions of the week: lowest rating, then most negative, oldest first."""
    if crit.empty:
        return []
    crit = crit.assign(_neg=crit["p_negative"].astype("Float64").fillna(0.0),
                       _rating=crit["rating"].astype("Float64").fillna(3.0))
    crit = crit.sort_values(["_rating", "_neg", "published_at"], ascending=[True, False, True])
    top = []
    for r in crit.head(TOP_CRITICISMS).itertuples():
        answered = r.status == "answered"
        top.append({
            "source": r.source, "published": _when(r.published_at, lang), "text": _snippet(r.text, lang),
            "answered": answered, "sla_breached": bool(r.sla_breached),
            "delay": (fmt_duration(r.delay_hours, lang) if answered
                      else t("report.waiting", lang, age=fmt_duration(r.age_hours, lang))),
            "quality": fmt_quality(r.quality, lang) if answered else "–",
            "outcome": name("outcome", r.outcome, lang) if isinstance(r.outcome, str) else "–",
        })
    return top


def render_html(con: duckdb.DuckDBPyConnection, cfg: RykteConfig, week: str, now: datetime) -> str:
    """The report as one self-contained HTML document (charts inlined as PNG data URIs)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    lang = cfg.reports.language
    monday = parse_week(week)
    next_monday = monday + timedelta(days=7)
    cur = compute_metrics(con, monday, next_monday)
    prev = compute_metrics(con, monday - timedelta(days=7), monday)
    sla = cfg.responses.sla_hours
    sla_text = t("duration.hours", lang, n=fmt_number(sla, lang, 0 if float(sla).is_integer() else 1))
    generated = _generated(now, lang)

    crit = queries.criticism_inbox(con, monday, next_monday, now=now, sla_hours=sla)
    overdue_df = queries.open_past_sla(con, now=now, sla_hours=sla, until=next_monday).sort_values("published_at")
    overdue = [{"source": r.source, "published": fmt_date(pd.Timestamp(r.published_at).date(), lang),
                "text": _snippet(r.text, lang, 160), "age": fmt_duration(r.age_hours, lang)}
               for r in overdue_df.head(MAX_OVERDUE).itertuples()]
    sources = [{"source": s, "mentions": fmt_count(v["mentions"], lang),
                "criticisms": fmt_count(v["criticisms"], lang),
                "responded": fmt_count(v["criticisms_responded"], lang), "rate": fmt_rate(v["response_rate"], lang)}
               for s, v in cur["by_source"].items()]
    overdue_intro = t(f"report.overdue_intro.{'one' if len(overdue_df) == 1 else 'other'}", lang,
                      count=fmt_count(len(overdue_df), lang), sla=sla_text, generated=generated)

    chart_uris = {k: None if c is None else _png_data_uri(c) for k, c in chart_specs(con, monday, lang).items()}
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]))
    year, week_no, _ = monday.isocalendar()
    return env.get_template("weekly.html.j2").render(
        tr=lambda key, **values: t(key, lang, **values), lang=lang,
        css=(TEMPLATES / "weekly.css").read_text(encoding="utf-8"),
        footer=css_content("report.footer", lang),
        page_label=css_content("report.page", lang, page="page", pages="pages"),
        company=cfg.company.name, week=week, week_no=week_no, year=year,
        period=fmt_period(monday, monday + timedelta(days=6), lang), generated=generated,
        kpi_rows=kpi_rows(cur, prev, lang), summary=summary(cur, lang), charts=chart_uris,
        sources=sources, has_criticism=bool(cur["criticisms"]), top=_top_criticisms(crit, lang), overdue=overdue,
        overdue_intro=overdue_intro,
        overdue_hidden=max(0, len(overdue_df) - MAX_OVERDUE), sla=sla_text,
    )


def css_content(key: str, lang: str, **counters: str) -> str:
    """A catalogue text as a CSS `content` value for the page margins: literal parts quoted, and each
    `{placeholder}` named in `counters` turned into that CSS counter ("Side {page} av {pages}" →
    `"Side " counter(page) " av " counter(pages)`)."""
    text = t(key, lang, **{k: f"\x00{k}\x00" for k in counters})
    out = []
    for i, part in enumerate(text.split("\x00")):
        if i % 2:
            out.append(f"counter({counters[part]})")
        elif part:
            out.append('"' + part.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ") + '"')
    return " ".join(out)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def build_report(con: duckdb.DuckDBPyConnection, cfg: RykteConfig, reports_dir: Path, week: str | None = None,
                 now: datetime | None = None) -> ReportPaths:
    """Write `<reports_dir>/<week>.html` and `.pdf`, record them in `reports`, return the paths."""
    from weasyprint import HTML

    now_utc = _naive_utc(now)
    week = week if week is not None else last_complete_week(now_utc)
    parse_week(week)  # validate before doing any work
    reports_dir = Path(reports_dir)
    reports_dir.mkdir(parents=True, exist_ok=True)
    html_text = render_html(con, cfg, week, now_utc)
    html_path, pdf_path = reports_dir / f"{week}.html", reports_dir / f"{week}.pdf"
    _write_atomic(html_path, html_text.encode("utf-8"))
    pdf = HTML(string=html_text, base_url=str(reports_dir)).write_pdf()
    if not pdf:
        raise RykteError(f"{pdf_path}: WeasyPrint produced no PDF")
    _write_atomic(pdf_path, pdf)
    con.execute(
        """INSERT INTO reports (week, html_path, pdf_path, created_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (week) DO UPDATE SET html_path = excluded.html_path, pdf_path = excluded.pdf_path,
               created_at = excluded.created_at""",
        [week, str(html_path), str(pdf_path), now_utc],
    )
    return ReportPaths(html=html_path, pdf=pdf_path, week=week, lang=cfg.reports.language)


def send_report(paths: ReportPaths, recipients: list[str]) -> list[str]:
    """Send the PDF to each apprise URL; return one error line per failed recipient (empty = all sent).

    Each recipient is notified separately so one dead channel neither hides nor blocks the others.
    A missing PDF fails every send (apprise would refuse the attachment anyway).
    """
    import apprise

    if not recipients:
        return []
    if not paths.pdf.is_file():
        return [f"{paths.pdf}: report PDF is missing; nothing sent"]
    year, week_no = (int(part) for part in paths.week.split("-W"))
    title = t("report.mail.title", paths.lang, week_no=week_no, year=year)
    body = t("report.mail.body", paths.lang, week_no=week_no, year=year, week=paths.week)
    errors: list[str] = []
    for url in recipients:
        ap = apprise.Apprise()
        label = _redact(url)
        if not ap.add(url):
            errors.append(f"{label}: not a valid apprise URL")
            continue
        with apprise.LogCapture(level=logging.DEBUG) as output:
            ok = ap.notify(title=title, body=body, attach=apprise.AppriseAttachment(str(paths.pdf)))
        if not ok:
            lines = [ln.strip() for ln in str(output.getvalue()).splitlines() if ln.strip()]
            reason = next((ln for ln in reversed(lines) if "WARNING" in ln or "ERROR" in ln),
                          lines[-1] if lines else "delivery failed")
            errors.append(f"{label}: {reason[-300:]}")
    return errors


def _redact(url: str) -> str:
    """An apprise URL without credentials, for error messages."""
    return re.sub(r"(://)[^/@]*@", r"\1***@", url)


def record_delivery(con: duckdb.DuckDBPyConnection, week: str, errors: list[str],
                    now: datetime | None = None) -> None:
    """Store the outcome of `send_report` on the `reports` row (sent_at, or last_error)."""
    if errors:
        con.execute("UPDATE reports SET last_error = ? WHERE week = ?", ["; ".join(errors)[:2000], week])
    else:
        con.execute("UPDATE reports SET sent_at = ?, last_error = NULL WHERE week = ?", [_naive_utc(now), week])
