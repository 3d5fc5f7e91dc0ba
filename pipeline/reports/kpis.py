"""The weekly report's key-figure table and its number formats, in the configured language.

Why apart from the rendering: these are the report's numbers as a reader sees them (this week, the
week before, the change and whether it is better or worse), and the test compares them with
`rykte metrics --json`; keeping them free of HTML and PDF makes that comparison direct. Every text
comes from the catalogue (`pipeline/i18n/report.yaml`) and every number from its locale formats.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pipeline.i18n import fmt_number, fmt_percent, t

Formatter = Callable[[Any, str], str]


def fmt_count(value: int | float | None, lang: str) -> str:
    return fmt_number(value, lang)


def fmt_rate(value: float | None, lang: str) -> str:
    """A 0..1 rate with one decimal: "66,7 %" (nb), "66.7%" (en)."""
    return fmt_percent(value, lang, 1)


def fmt_hours(value: float | None, lang: str) -> str:
    """Hours with one decimal, as the metrics give them: "3,5 t" (nb), "3.5 h" (en)."""
    return "–" if value is None else t("duration.hours", lang, n=fmt_number(value, lang, 1))


def fmt_quality(value: float | None, lang: str) -> str:
    """Reply quality 0..100 with one decimal: "72,5" (nb), "72.5" (en)."""
    return fmt_number(value, lang, 1)


FORMATS: dict[str, Formatter] = {"int": fmt_count, "pct": fmt_rate, "hours": fmt_hours, "quality": fmt_quality}

# (catalogue key under report.kpi, how to read it from compute_metrics, kind, lower is better?)
KPIS: list[tuple[str, Callable[[dict[str, Any]], Any], str, bool | None]] = [
    ("mentions", lambda k: k["mentions"], "int", None),
    ("criticisms", lambda k: k["criticisms"], "int", True),
    ("criticisms_responded", lambda k: k["criticisms_responded"], "int", False),
    ("response_rate", lambda k: k["response_rate"], "pct", False),
    ("median", lambda k: k["first_response_hours"]["median"], "hours", True),
    ("p90", lambda k: k["first_response_hours"]["p90"], "hours", True),
    ("quality_mean", lambda k: k["quality_mean"], "quality", False),
    ("clock_anomalies", lambda k: k["clock_anomalies"], "int", None),
    ("official_mentions", lambda k: k["official_mentions"], "int", None),
]


def change(cur: float | None, prev: float | None, kind: str, lower_is_better: bool | None,
           lang: str) -> tuple[str, str]:
    """The change from last week as text ("+1", "−2,5 pp", "±0,0 t") and its class (better/worse/"")."""
    if cur is None or prev is None:
        return "–", ""
    diff = float(cur) - float(prev)
    if kind == "pct":
        size = t("report.unit.points", lang, n=fmt_number(abs(diff) * 100, lang, 1))
    elif kind == "hours":
        size = fmt_hours(abs(diff), lang)
    elif kind == "quality":
        size = fmt_quality(abs(diff), lang)
    else:
        size = fmt_count(abs(diff), lang)
    if abs(diff) < 1e-12:
        return ("0" if kind == "int" else "±" + size), ""
    text = ("+" if diff > 0 else "−") + size
    if lower_is_better is None:
        return text, ""
    better = diff < 0 if lower_is_better else diff > 0
    return text, "better" if better else "worse"


def kpi_rows(cur: dict[str, Any], prev: dict[str, Any], lang: str) -> list[dict[str, str]]:
    """The KPI table: label, this week, last week, change, and its trend class."""
    rows = []
    for key, read, kind, lower in KPIS:
        c, p = read(cur), read(prev)
        text, trend = change(c, p, kind, lower, lang)
        rows.append({"label": t(f"report.kpi.{key}", lang), "value": FORMATS[kind](c, lang),
                     "previous": FORMATS[kind](p, lang), "change": text, "trend": trend})
    return rows
