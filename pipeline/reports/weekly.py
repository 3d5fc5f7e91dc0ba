"""The weekly report: Jinja2 HTML + Altair charts (PNG via vl-convert, offline) + WeasyPrint PDF.

`build_report` writes `<reports_dir>/YYYY-Www.html` and `.pdf` for one ISO week (default: the last
complete week), records the row in `reports`, and returns the paths. Every KPI in it comes from
`compute_metrics(con, monday, next_monday)` — the same numbers as the dashboard and
`rykte metrics --json`. Text is Norwegian (bokmål).

`send_report` delivers the PDF through apprise to each recipient URL and returns the errors.
"""

from __future__ import annotations

import base64
import logging
import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from pipeline import charts
from pipeline.charts import OUTCOME_NB, fmt_hours, fmt_int, fmt_pct, fmt_quality
from pipeline.config.model import RykteConfig
from pipeline.errors import InputError, RykteError
from pipeline.store import queries
from pipeline.store.metrics import compute_metrics

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"
WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")
MONTHS_NB = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
             "november", "desember")
TOP_CRITICISMS = 10
MAX_OVERDUE = 25
TREND_WEEKS = 8


@dataclass(frozen=True)
class ReportPaths:
    html: Path
    pdf: Path
    week: str


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


def _period(monday: date) -> str:
    sunday = monday + timedelta(days=6)
    if monday.month == sunday.month:
        return f"{monday.day}.–{sunday.day}. {MONTHS_NB[sunday.month - 1]} {sunday.year}"
    if monday.year == sunday.year:
        return f"{monday.day}. {MONTHS_NB[monday.month - 1]} – {sunday.day}. {MONTHS_NB[sunday.month - 1]} {sunday.year}"
    return (f"{monday.day}. {MONTHS_NB[monday.month - 1]} {monday.year} – "
            f"{sunday.day}. {MONTHS_NB[sunday.month - 1]} {sunday.year}")


def _change(cur: float | None, prev: float | None, kind: str, lower_is_better: bool) -> tuple[str, str]:
    if cur is None or prev is None:
        return "–", ""
    diff = float(cur) - float(prev)
    if kind == "pct":
        text = f"{diff * 100:+.1f} pp"
    elif kind == "hours":
        text = f"{diff:+.1f} t"
    elif kind == "quality":
        text = f"{diff:+.2f}"
    else:
        text = f"{int(diff):+d}"
    text = text.replace(".", ",").replace("-", "−")
    if abs(diff) < 1e-12:
        return ("0" if kind == "int" else text.replace("+", "±")), ""
    better = (diff < 0) if lower_is_better else (diff > 0)
    return text, ("better" if better else "worse")


def kpi_rows(cur: dict[str, Any], prev: dict[str, Any]) -> list[dict[str, str]]:
    """The KPI table: label, this week, last week, change (formatted), trend class."""
    spec: list[tuple[str, Any, Any, str, bool | None]] = [
        ("Omtaler", cur["mentions"], prev["mentions"], "int", None),
        ("Kritikk", cur["criticisms"], prev["criticisms"], "int", True),
        ("Besvart kritikk", cur["criticisms_responded"], prev["criticisms_responded"], "int", False),
        ("Svarrate på kritikk", cur["response_rate"], prev["response_rate"], "pct", False),
        ("Median første svar", cur["first_response_hours"]["median"], prev["first_response_hours"]["median"],
         "hours", True),
        ("P90 første svar", cur["first_response_hours"]["p90"], prev["first_response_hours"]["p90"], "hours",
         True),
        ("Snitt svarkvalitet (0–100)", cur["quality_mean"], prev["quality_mean"], "quality", False),
        ("Klokkeavvik", cur["clock_anomalies"], prev["clock_anomalies"], "int", None),
        ("Innlegg fra virksomheten", cur["official_mentions"], prev["official_mentions"], "int", None),
    ]
    fmt = {"int": fmt_int, "pct": fmt_pct, "hours": fmt_hours, "quality": fmt_quality}
    rows = []
    for label, c, p, kind, lower in spec:
        change, trend = _change(c, p, kind, bool(lower))
        rows.append({"label": label, "value": fmt[kind](c), "previous": fmt[kind](p), "change": change,
                     "trend": trend if lower is not None else ""})
    return rows


def _png_data_uri(chart: Any) -> str:
    import vl_convert as vlc

    png = vlc.vegalite_to_png(vl_spec=chart.to_json(), scale=2)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _snippet(text: Any, n: int = 220) -> str:
    t = " ".join(str(text or "").split())
    return t if len(t) <= n else t[: n - 1] + "…"


def _summary(cur: dict[str, Any]) -> str:
    if not cur["mentions"]:
        return "Ingen omtaler denne uka."
    parts = [f"{cur['mentions']} omtaler, hvorav {cur['criticisms']} kritiske."]
    if cur["criticisms"]:
        parts.append(f"{cur['criticisms_responded']} av dem er besvart ({fmt_pct(cur['response_rate'])}).")
    return " ".join(parts)


def render_html(con: duckdb.DuckDBPyConnection, cfg: RykteConfig, week: str, now: datetime) -> str:
    """The report as one self-contained HTML document (charts inlined as PNG data URIs)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    monday = parse_week(week)
    next_monday = monday + timedelta(days=7)
    prev_monday = monday - timedelta(days=7)
    cur = compute_metrics(con, monday, next_monday)
    prev = compute_metrics(con, prev_monday, monday)
    sla = cfg.responses.sla_hours

    trend = queries.weekly_trend(con, monday - timedelta(days=7 * (TREND_WEEKS - 1)), next_monday)
    chart_uris = {
        "trend": _png_data_uri(charts.weekly_trend_chart(
            trend, title=f"Omtaler, kritikk og svarrate – siste {TREND_WEEKS} uker").properties(width=620, height=200)),
        "delay": _png_data_uri(charts.band_chart(
            queries.delay_distribution(con, monday, next_monday), "band", "answered",
            title="Tid til første svar", x_title="Svartid").properties(width=280)),
        "quality": _png_data_uri(charts.band_chart(
            queries.quality_distribution(con, monday, next_monday), "band", "answered",
            title="Svarkvalitet", x_title="Kvalitet (0–100)", colour=charts.GREEN).properties(width=280)),
    }

    crit = queries.criticism_inbox(con, monday, next_monday, now=now, sla_hours=sla)
    top = []
    if not crit.empty:
        crit = crit.assign(_neg=crit["p_negative"].astype("Float64").fillna(0.0),
                           _rating=crit["rating"].astype("Float64").fillna(3.0))
        crit = crit.sort_values(["_rating", "_neg", "published_at"], ascending=[True, False, True])
        for r in crit.head(TOP_CRITICISMS).itertuples():
            answered = r.status == "answered"
            top.append({
                "source": r.source, "published": pd.Timestamp(r.published_at).strftime("%d.%m. %H:%M"),
                "text": _snippet(r.text), "answered": answered, "sla_breached": bool(r.sla_breached),
                "delay": fmt_hours(r.delay_hours) if answered else f"venter {fmt_hours(r.age_hours)}",
                "quality": fmt_quality(r.quality) if answered else "–",
                "outcome": OUTCOME_NB.get(r.outcome, "–") if isinstance(r.outcome, str) else "–",
            })
    overdue_df = queries.open_past_sla(con, now=now, sla_hours=sla, until=next_monday)
    overdue_df = overdue_df.sort_values("published_at")
    overdue = [{"source": r.source, "published": pd.Timestamp(r.published_at).strftime("%d.%m.%Y"),
                "text": _snippet(r.text, 160), "age": fmt_hours(r.age_hours, 0)}
               for r in overdue_df.head(MAX_OVERDUE).itertuples()]
    sources = [{"source": s, "mentions": fmt_int(v["mentions"]), "criticisms": fmt_int(v["criticisms"]),
                "responded": fmt_int(v["criticisms_responded"]), "rate": fmt_pct(v["response_rate"])}
               for s, v in cur["by_source"].items()]

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]))
    year, week_no, _ = monday.isocalendar()
    return env.get_template("weekly.html.j2").render(
        css=(TEMPLATES / "weekly.css").read_text(encoding="utf-8"),
        company=cfg.company.name, week=week, week_no=week_no, year=year, period=_period(monday),
        generated=now.strftime("%d.%m.%Y %H:%M"), kpi_rows=kpi_rows(cur, prev), summary=_summary(cur),
        charts=chart_uris, sources=sources, top=top, overdue=overdue, overdue_total=len(overdue_df),
        sla=f"{sla:g}",
    )


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
    return ReportPaths(html=html_path, pdf=pdf_path, week=week)


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
    year, week_no = paths.week.split("-W")
    title = f"Rykte – ukerapport uke {int(week_no)} {year}"
    body = (f"Vedlagt er ukerapporten for uke {int(week_no)} {year} ({paths.week}) med nøkkeltall, "
            "kritikk og svar. Åpne dashbordet for detaljer.")
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
