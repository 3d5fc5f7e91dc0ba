"""The weekly report's three-sentence summary, and the one rule for "the biggest change".

Why apart from the rendering: this is the paragraph a manager pastes into an e-mail, so it must stand
alone (numbers with their comparison, the SLA named) and be testable without a PDF. The numbers are
the report's `compute_metrics` objects (this week, the week before, the four weeks before);
the biggest change is chosen by `biggest_change` from candidates the report collects.

The rule: every candidate is a count this week against a baseline (a source's mentions against the
week before, an aspect's criticism against the week before, the busiest day's criticism against
the average day of the four weeks before). A candidate counts only when this week's count or its
baseline reaches `MIN_COUNT`; its size is the relative change `(now − base) / max(base, 1)`; the
largest size (either direction) wins, then the larger absolute change, then the order of the
candidates as given (sources, aspects, spike), so the choice is stable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.i18n import fmt_number, fmt_percent, t
from pipeline.reports.kpis import fmt_count, fmt_hours, fmt_rate

MIN_COUNT = 3


@dataclass(frozen=True)
class Candidate:
    kind: str  # "source", "aspect" or "spike"
    label: str  # display name (source, aspect) or the day, in the reader's words
    now: float
    base: float

    @property
    def size(self) -> float:
        return (self.now - self.base) / max(self.base, 1.0)


def biggest_change(candidates: Sequence[Candidate], min_count: int = MIN_COUNT) -> Candidate | None:
    """The candidate with the largest relative change among those with at least `min_count`
    this week or in the baseline; None when none qualifies or nothing changed."""
    best: Candidate | None = None
    for c in candidates:
        if max(c.now, c.base) < min_count or c.now == c.base:
            continue
        if best is None or (abs(c.size), abs(c.now - c.base)) > (abs(best.size), abs(best.now - best.base)):
            best = c
    return best


def signed(diff: float, lang: str, digits: int = 0) -> str:
    """A change with its sign: "+4", "−2", "±0" (a real minus sign, as in the key-figure table)."""
    if abs(diff) < 1e-12:
        return "±" + fmt_number(0, lang, digits)
    return ("+" if diff > 0 else "−") + fmt_number(abs(diff), lang, digits)


def average(weeks: Sequence[dict[str, Any]], key: str) -> float | None:
    """The mean of one count over earlier weeks' metrics (None without weeks)."""
    return sum(float(w[key]) for w in weeks) / len(weeks) if weeks else None


def volume_sentence(week_no: int, cur: dict[str, Any], prev: dict[str, Any], before: Sequence[dict[str, Any]],
                    lang: str) -> str:
    """Mentions and criticism against the week before and the average of the weeks before (up to
    four; with fewer than two, as on a new installation, the sentence leaves the average out)."""
    plural = "one" if cur["mentions"] == 1 else "other"
    kind = "volume" if len(before) >= 2 else "volume_no_history"  # one week's average is the week before
    return t(f"report.summary.{kind}.{plural}", lang, week_no=week_no,
             mentions=fmt_count(cur["mentions"], lang),
             mentions_change=signed(cur["mentions"] - prev["mentions"], lang),
             mentions_avg=fmt_number(average(before, "mentions"), lang, 1),
             criticisms=fmt_count(cur["criticisms"], lang),
             criticisms_change=signed(cur["criticisms"] - prev["criticisms"], lang),
             criticisms_avg=fmt_number(average(before, "criticisms"), lang, 1), weeks=len(before))


def response_sentence(cur: dict[str, Any], within_sla: tuple[int, int], sla_text: str, lang: str) -> str:
    """Response rate, median and P90 to first response, and how many replies came within the SLA."""
    if not cur["criticisms"]:
        return t("report.summary.response.no_criticism", lang)
    if not cur["criticisms_responded"]:
        return t("report.summary.response.none", lang, criticisms=fmt_count(cur["criticisms"], lang), sla=sla_text)
    within, answered = within_sla
    hours = cur["first_response_hours"]
    return t("report.summary.response.some", lang, responded=fmt_count(cur["criticisms_responded"], lang),
             criticisms=fmt_count(cur["criticisms"], lang), rate=fmt_rate(cur["response_rate"], lang),
             median=fmt_hours(hours["median"], lang), p90=fmt_hours(hours["p90"], lang), sla=sla_text,
             within=fmt_count(within, lang), answered=fmt_count(answered, lang))


def change_sentence(change: Candidate | None, lang: str) -> str:
    """The biggest change in words; a plain "nothing stood out" when no candidate qualifies."""
    if change is None:
        return t("report.summary.change.none", lang, min_count=MIN_COUNT)
    if change.kind == "spike":
        return t("report.summary.change.spike", lang, day=change.label, count=fmt_count(change.now, lang),
                 avg=fmt_number(change.base, lang, 1))
    pct = t("report.summary.change.new", lang) if change.base == 0 else fmt_percent(change.size, lang)
    if pct[0].isdigit():
        pct = "+" + pct
    return t(f"report.summary.change.{change.kind}", lang, name=change.label, now=fmt_count(change.now, lang),
             base=fmt_count(change.base, lang), pct=pct.replace("-", "−"))


def summary(week_no: int, cur: dict[str, Any], prev: dict[str, Any], before: Sequence[dict[str, Any]],
            within_sla: tuple[int, int], sla_text: str, change: Candidate | None, lang: str) -> list[str]:
    """The three sentences (volume, responses, biggest change); one when the week had no mentions."""
    if not cur["mentions"]:
        return [t("report.summary.empty", lang, week_no=week_no,
                  mentions=fmt_count(prev["mentions"], lang))]
    return [volume_sentence(week_no, cur, prev, before, lang), response_sentence(cur, within_sla, sla_text, lang),
            change_sentence(change, lang)]
