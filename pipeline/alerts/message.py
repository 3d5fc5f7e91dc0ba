"""The alert message HR reads: one outbox row joined with its mention and response, in Norwegian.

Plain text (email, Slack, Teams and webhooks all show it as is): author, local publication time in
the configured time zone, rating, sentiment, aspects, whether and how fast the company answered,
the text shortened at a word boundary, and the link.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

TEXT_LIMIT = 600
SENTIMENT_NB = {"negative": "negativ", "neutral": "nøytral", "positive": "positiv"}


@dataclass(frozen=True)
class Alert:
    """One due outbox row joined with its mention and response."""

    outbox_id: int
    channel: str
    attempts: int
    source: str
    author: str
    published_at: datetime
    rating: float | None
    sentiment: str | None
    p_negative: float | None
    aspects: str | None
    text: str
    title: str | None
    url: str | None
    answered: bool
    delay_hours: float | None
    still_criticism: bool


def _number(x: float, digits: int = 1) -> str:
    if float(x).is_integer():
        return str(int(x))
    return f"{x:.{digits}f}".replace(".", ",")


def shorten(text: str, limit: int = TEXT_LIMIT) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + " …"


def _aspects(raw: str | None) -> str:
    if not raw:
        return "–"
    try:
        items = json.loads(raw)
    except ValueError:
        return "–"
    names: list[str] = []
    for item in items if isinstance(items, list) else []:
        name = item.get("aspect") if isinstance(item, dict) else item
        if isinstance(name, str) and name and name not in names:
            names.append(name)
    return ", ".join(names) or "–"


def render(alert: Alert, timezone: str = "Europe/Oslo") -> tuple[str, str]:
    """(title, plain-text body) of the alert, in Norwegian."""
    local = alert.published_at.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone))
    rating = f"{_number(alert.rating)}/5" if alert.rating is not None else "–"
    if alert.sentiment:
        sentiment = SENTIMENT_NB.get(alert.sentiment, alert.sentiment)
        if alert.p_negative is not None:
            sentiment += f" ({alert.p_negative * 100:.0f} % negativ)"
    else:
        sentiment = "ikke analysert"
    if alert.answered:
        answered = "ja" + (f", etter {_number(alert.delay_hours)} t" if alert.delay_hours is not None else "")
    else:
        answered = "nei, ikke ennå"
    lines = [
        f"Forfatter: {alert.author}",
        f"Publisert: {local:%d.%m.%Y %H:%M} {local.tzname()} ({timezone})",
        f"Vurdering: {rating}",
        f"Sentiment: {sentiment}",
        f"Tema: {_aspects(alert.aspects)}",
        f"Besvart av selskapet: {answered}",
    ]
    if alert.title:
        lines.append(f"Tittel: {shorten(alert.title, 200)}")
    lines += ["", shorten(alert.text), ""]
    lines.append(f"Lenke: {alert.url}" if alert.url else "Lenke: –")
    return f"Ny kritikk på {alert.source}", "\n".join(lines)
