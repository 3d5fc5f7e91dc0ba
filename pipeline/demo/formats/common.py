"""Helpers every platform's wire format shares: timestamps, stable hashes, markup, search, threads.

The platforms render the same content forest, so the conventions they must agree on live here once:
how times are written and parsed, how deterministic numbers (scores, ids, counts) are derived from
stable keys (never from the port or the clock), how text becomes HTML, what a search query matches
(quoted phrases, ``OR``, all words otherwise) and how a thread is walked.
"""

from __future__ import annotations

import hashlib
import html
import re
from datetime import UTC, datetime

from pipeline.demo.posts import Content, Post

# --------------------------------------------------------------------------------------------------
# time and stable numbers


def iso_z(dt: datetime, ms: bool = True) -> str:
    s = dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return s + (".000Z" if ms else "Z")


def ts(dt: datetime) -> int:
    return int(dt.timestamp())


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def stable_hash(*parts: object) -> int:
    """A large integer derived from ``parts`` only: the source of every made-up but repeatable number."""
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest(), 16)


# --------------------------------------------------------------------------------------------------
# markup


def escape_markup(text: str) -> str:
    return html.escape(text, quote=True)


def paragraphs_html(text: str) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n") if p)


def page_html(title: str, posts: list[Post], lang: str) -> str:
    """A bare HTML page of posts (Reddit's non-JSON thread view)."""
    body = "".join(f'<div class="post"><b>{escape_markup(p.author)}</b> <time datetime="{iso_z(p.created, False)}"></time>'
                   f"{paragraphs_html(p.text)}</div>" for p in posts)
    return f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape_markup(title)}</title></head><body>{body}</body></html>'


# --------------------------------------------------------------------------------------------------
# search semantics shared by the platforms (quoted phrases, OR, all words otherwise)


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("\u00a0", " ").split())


def matches_query(query: str, *texts: str | None) -> bool:
    hay = _norm(" ".join(t for t in texts if t))
    query = query.strip()
    if not query:
        return True
    for alt in re.split(r"\s+OR\s+|\s*\|\s*", query):
        phrases = [_norm(p) for p in re.findall(r'"([^"]+)"', alt)]
        words = [w for w in re.sub(r'"[^"]*"', " ", alt).lower().split() if w not in ("and", "+")]
        if not phrases and not words:
            continue
        ok = all(re.search(r"(?<!\w)" + re.escape(p), hay) for p in phrases)
        ok = ok and all(re.search(r"(?<!\w)" + re.escape(w.strip("()")), hay) for w in words if w.strip("()"))
        if ok:
            return True
    return False


# --------------------------------------------------------------------------------------------------
# titles and threads


def sentences(text: str) -> tuple[str, str]:
    """(first sentence, rest) — used for titles of posts on platforms that have them."""
    m = re.match(r"(.+?[.!?:])(\s+|$)(.*)", text, re.S)
    if not m:
        return text[:120], ""
    first, rest = m.group(1).rstrip(":"), m.group(3)
    if len(first) > 140:
        return first[:137] + "...", text
    return first, rest


def thread_posts(content: Content, platform: str, root: Post) -> list[Post]:
    """The root and its descendants, depth first, each level in time order."""
    kids = content.children(platform)
    out: list[Post] = []

    def walk(p: Post) -> None:
        out.append(p)
        for c in sorted(kids.get(p.id, []), key=lambda x: x.created):
            walk(c)

    walk(root)
    return out


def roots(content: Content, platform: str) -> list[Post]:
    return [p for p in content.posts.get(platform, []) if p.parent is None]


