"""The weekly report: Jinja2 HTML + Altair charts (PNG via vl-convert, offline) + WeasyPrint PDF.

`build_report` writes `<reports_dir>/YYYY-Www.html` and `.pdf` for one ISO week (default: the last
complete week), records the row in `reports`, and returns the paths. Every KPI in it comes from
`compute_metrics(con, monday, next_monday)` — the same numbers as the dashboard and
`rykte metrics --json`. The language is `reports.language` (nb or en): every text comes from the
message catalogue (`pipeline/i18n/report.yaml`), every number and date from its locale formats.
Without a config file, the company, language and SLA are those the writer published with the store.
The parts: `summary` (the three sentences and the biggest-change rule), `kpis` (the key-figure
table), `sections` (the tables), `charts` (the charts as PNG); this module puts them in the template
and writes the files. A finished week renders the same from the same store, whenever it is run.

`send_report` delivers the PDF through apprise to each recipient URL and returns the errors.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import duckdb

from pipeline.config.model import RykteConfig
from pipeline.errors import InputError, RykteError
from pipeline.i18n import fmt_date, fmt_number, fmt_period, t
from pipeline.reports import sections
from pipeline.reports.charts import chart_uris
from pipeline.reports.kpis import kpi_rows
from pipeline.reports.summary import MIN_COUNT, biggest_change, summary
from pipeline.store import queries
from pipeline.store.metrics import compute_metrics
from pipeline.store.settings import read_settings

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"
WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


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


def company_name(con: duckdb.DuckDBPyConnection, cfg: RykteConfig) -> str | None:
    """The company the report is about: the config's, else (no config file) the one the writer
    published in `settings`, else None (the title then names no company)."""
    if cfg.company.name != RykteConfig.minimal().company.name:
        return cfg.company.name
    published = read_settings(con).company
    return published if published and published != RykteConfig.minimal().company.name else None


def report_settings(con: duckdb.DuckDBPyConnection, cfg: RykteConfig) -> tuple[str | None, str, float]:
    """(company, language, SLA hours): from the config, or without a config file from the settings
    the writer published with the store (so `rykte report` without `--config` reads as the service's)."""
    company = company_name(con, cfg)
    if cfg.company.name != RykteConfig.minimal().company.name:
        return company, cfg.reports.language, cfg.responses.sla_hours
    published = read_settings(con)
    lang = published.language if published.language in ("nb", "en") else cfg.reports.language
    return company, lang, float(published.sla_hours)


def as_of_time(monday: date, now: datetime) -> datetime:
    """The moment the report describes: the end of the week, or `now` while the week is running."""
    return min(datetime.combine(monday + timedelta(days=7), time()), now)


def weeks_before(con: duckdb.DuckDBPyConnection, monday: date, n: int = 4) -> list[dict[str, Any]]:
    """The metrics of the `n` weeks before `monday`, newest first, leaving out weeks that ended
    before the store's first mention (a new installation has no history to average)."""
    first = queries.data_bounds(con)["first"]
    out = []
    for k in range(1, n + 1):
        since, until = monday - timedelta(days=7 * k), monday - timedelta(days=7 * (k - 1))
        if first is not None and datetime.combine(until, time()) > first:
            out.append(compute_metrics(con, since, until))
    return out


def render_html(con: duckdb.DuckDBPyConnection, cfg: RykteConfig, week: str, now: datetime) -> str:
    """The report as one self-contained HTML document (charts inlined as PNG data URIs).

    Nothing in it depends on `now` once the week is over: open criticism is judged at the end of
    the week, so a past week renders the same from the same store."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    company, lang, sla = report_settings(con, cfg)
    monday = parse_week(week)
    next_monday = monday + timedelta(days=7)
    as_of = as_of_time(monday, now)
    cur = compute_metrics(con, monday, next_monday)
    prev = compute_metrics(con, monday - timedelta(days=7), monday)
    before = weeks_before(con, monday)
    sla_text = t("duration.hours", lang, n=fmt_number(sla, lang, 0 if float(sla).is_integer() else 1))
    year, week_no, _ = monday.isocalendar()
    within = sections.within_sla(con, monday, sla)
    change = biggest_change(sections.change_candidates(con, monday, cur, prev, lang))
    open_rows, open_total = sections.open_criticism(con, monday, as_of, sla, lang)
    as_of_text = f"{fmt_date(as_of.date(), lang)} {as_of:%H:%M}" if as_of.time() != time() else \
        t("report.midnight", lang, day=fmt_date((as_of - timedelta(days=1)).date(), lang))
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]))
    return env.get_template("weekly.html.j2").render(
        tr=lambda key, **values: t(key, lang, **values), lang=lang,
        css=(TEMPLATES / "weekly.css").read_text(encoding="utf-8"),
        footer=css_content("report.footer", lang),
        page_label=css_content("report.page", lang, page="page", pages="pages"),
        company=company, week=week, week_no=week_no, year=year,
        period=fmt_period(monday, monday + timedelta(days=6), lang), as_of=as_of_text,
        summary=summary(week_no, cur, prev, before, within, sla_text, change, lang),
        kpi_rows=kpi_rows(cur, prev, lang), within=within, charts=chart_uris(con, monday, lang),
        sources=sections.sources(cur, prev, lang), languages=sections.languages(con, monday, lang),
        has_criticism=bool(cur["criticisms"]), aspects=sections.aspects(con, monday, lang),
        replies=sections.replies(con, monday, lang), desk=sections.desk(con, monday, lang), open_rows=open_rows, open_total=open_total,
        open_hidden=max(0, open_total - len(open_rows)), open_weeks=sections.OPEN_WEEKS,
        quarter=sections.quarter(con, monday, lang), sla=sla_text, min_count=MIN_COUNT,
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
    lang = report_settings(con, cfg)[1]
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
    return ReportPaths(html=html_path, pdf=pdf_path, week=week, lang=lang)


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
