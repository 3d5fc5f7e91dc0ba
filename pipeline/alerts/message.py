"""The alert messages HR reads, per kind, in Norwegian or English, from the message catalogue.

Plain text (email, Slack, Teams and webhooks all show it as is). A message about a criticism
(new, SLA warning, SLA breach) holds the author, source, local publication time in the company's
time zone, rating, sentiment, aspects by their display names, whether the company answered, the
deadline to answer within the SLA, the text shortened at a word boundary, the link to the original
and the link to the item in the dashboard. The other kinds (spike, stale source, failing channel,
summary) tell their facts from the row's payload. Every word comes from `pipeline/i18n/alerts.yaml`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pipeline.alerts.context import AlertContext
from pipeline.alerts.kinds import aspect_ids
from pipeline.i18n import Lang, fmt_duration, fmt_number, fmt_percent, name, t

TEXT_LIMIT = 600
DIGEST_TEXT_LIMIT = 160


@dataclass(frozen=True)
class Alert:
    """One due outbox row, joined with its mention and response for the mention kinds."""

    outbox_id: int
    channel: str
    attempts: int
    kind: str
    subject: str
    payload: str | None
    created_at: datetime
    mention_id: int | None
    source: str | None
    author: str | None
    published_at: datetime | None
    rating: float | None
    sentiment: str | None
    p_negative: float | None
    aspects: str | None
    text: str | None
    title: str | None
    url: str | None
    answered: bool
    delay_hours: float | None
    still_criticism: bool

    def facts(self) -> dict[str, Any]:
        try:
            data = json.loads(self.payload) if self.payload else {}
        except ValueError:
            data = {}
        return data if isinstance(data, dict) else {}


def shorten(text: str, limit: int = TEXT_LIMIT) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + " …"


def _plain(text: str) -> str:
    """Babel's no-break spaces ("91\u00a0%") as plain spaces: some chat clients show them oddly."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def _hours(x: float, lang: Lang) -> str:
    return fmt_number(x, lang, 0 if float(x).is_integer() else 1)


def _when(at: datetime, ctx: AlertContext, lang: Lang) -> str:
    local = ctx.local(at)
    return f"{local.strftime(t('alerts.time_format', lang))} {local.tzname()}"


def _line(key: str, value: str, lang: Lang) -> str:
    return f"{t(f'alerts.field.{key}', lang)}: {value}"


def _sentiment(alert: Alert, lang: Lang) -> str:
    label = name("sentiment", alert.sentiment or "unscored", lang)
    label = label[:1].lower() + label[1:]
    if alert.sentiment and alert.p_negative is not None:
        return t("alerts.value.share_negative", lang, sentiment=label, percent=fmt_percent(alert.p_negative, lang))
    return label


def _answered(alert: Alert, lang: Lang) -> str:
    if not alert.answered:
        return t("alerts.value.answered_no", lang)
    if alert.delay_hours is None:
        return t("alerts.value.answered_yes", lang)
    return t("alerts.value.answered_after", lang, hours=_hours(alert.delay_hours, lang))


def _deadline(published: datetime, now: datetime, ctx: AlertContext, lang: Lang) -> str:
    due = ctx.deadline(published)
    when, sla = _when(due, ctx, lang), _hours(ctx.sla_hours, lang)
    left = (due - now).total_seconds() / 3600
    if left >= 0:
        return t("alerts.value.deadline_ahead", lang, when=when, left=fmt_duration(left, lang), sla=sla)
    return t("alerts.value.deadline_passed", lang, when=when, ago=fmt_duration(-left, lang), sla=sla)


def _mention_body(alert: Alert, ctx: AlertContext, lang: Lang, now: datetime) -> list[str]:
    assert alert.published_at is not None
    local = ctx.local(alert.published_at)
    rating = f"{_hours(alert.rating, lang)}/5" if alert.rating is not None else "–"
    aspects = ", ".join(name("aspect", a, lang) for a in aspect_ids(alert.aspects)) or "–"
    lines = [
        _line("author", alert.author or "–", lang),
        _line("source", alert.source or "–", lang),
        _line("published", f"{local.strftime(t('alerts.time_format', lang))} {local.tzname()} ({ctx.timezone})",
              lang),
        _line("rating", rating, lang),
        _line("sentiment", _sentiment(alert, lang), lang),
        _line("aspects", aspects, lang),
        _line("answered", _answered(alert, lang), lang),
    ]
    if not alert.answered:
        lines.append(_line("deadline", _deadline(alert.published_at, now, ctx, lang), lang))
    if alert.title:
        lines.append(_line("heading", shorten(alert.title, 200), lang))
    lines += ["", shorten(alert.text or ""), ""]
    lines.append(_line("link", alert.url or "–", lang))
    item = ctx.item_link(alert.mention_id)
    if item:
        lines.append(_line("dashboard", item, lang))
    return lines


def _see_dashboard(ctx: AlertContext, lang: Lang) -> str:
    if ctx.dashboard_url:
        return t("alerts.body.see_dashboard", lang, url=ctx.dashboard_url)
    return t("alerts.body.see_dashboard_plain", lang)


def _other_body(alert: Alert, ctx: AlertContext, lang: Lang) -> tuple[dict[str, Any], list[str]]:
    """Title values and body lines of the kinds that are not about one criticism."""
    f = alert.facts()
    if alert.kind == "spike":
        values = {"count": f.get("count", 0)}
        numbers = {k: fmt_number(f.get(k, 0), lang, 1) for k in ("mean", "sd", "threshold")}
        return values, [t("alerts.body.spike", lang, count=values["count"], **numbers), "", _see_dashboard(ctx, lang)]
    if alert.kind == "stale_source":
        since = f.get("last_success")
        line = (t("alerts.body.stale_since", lang, when=_when(datetime.fromisoformat(since), ctx, lang)) if since
                else t("alerts.body.stale_never", lang))
        return {"source": f.get("source", alert.subject)}, [line]
    if alert.kind == "delivery_failing":
        since = _when(datetime.fromisoformat(f["since"]), ctx, lang) if f.get("since") else "–"
        return {"channel": f.get("channel", "")}, [
            t("alerts.body.delivery_failing", lang, failures=f.get("failures", 0), since=since,
              error=f.get("last_error") or "–")]
    if alert.kind == "summary":
        days = fmt_number(f.get("days", 7), lang)
        values = {"count": f.get("criticisms", 0), "days": days}
        return values, [t("alerts.body.summary", lang, count=values["count"], days=days,
                          unanswered=f.get("unanswered", 0), breached=f.get("breached", 0)),
                        "", _see_dashboard(ctx, lang)]
    return {}, [alert.subject]


def render(alert: Alert, ctx: AlertContext | None = None, lang: Lang | None = None,
           now: datetime | None = None) -> tuple[str, str]:
    """(title, plain-text body) of one alert in `lang` (default: the context's language)."""
    ctx = ctx or AlertContext()
    lang = lang or ctx.language
    now = now or alert.created_at
    if alert.mention_id is not None and alert.published_at is not None:
        title = t(f"alerts.title.{alert.kind}", lang, source=alert.source)
        return _plain(title), _plain("\n".join(_mention_body(alert, ctx, lang, now)))
    values, lines = _other_body(alert, ctx, lang)
    return _plain(t(f"alerts.title.{alert.kind}", lang, **values)), _plain("\n".join(lines))


def render_digest(alerts: Sequence[Alert], ctx: AlertContext, lang: Lang, now: datetime) -> tuple[str, str]:
    """One message for a channel's digest: per alert its title, a short excerpt and its links."""
    lines = [t("alerts.body.digest", lang, count=len(alerts)), ""]
    for alert in alerts:
        title, body = render(alert, ctx, lang, now)
        lines.append(f"• {title}")
        if alert.mention_id is not None and alert.text is not None:
            lines.append(f"  {shorten(alert.text, DIGEST_TEXT_LIMIT)}")
            if not alert.answered and alert.published_at is not None:
                lines.append(f"  {_line('deadline', _deadline(alert.published_at, now, ctx, lang), lang)}")
            for link in (alert.url, ctx.item_link(alert.mention_id)):
                if link:
                    lines.append(f"  {link}")
        else:
            lines.append(f"  {shorten(body, DIGEST_TEXT_LIMIT * 2)}")
        lines.append("")
    lines.append(_see_dashboard(ctx, lang))
    return _plain(t("alerts.title.digest", lang, count=len(alerts))), _plain("\n".join(lines).rstrip())
