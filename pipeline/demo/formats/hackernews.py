"""Hacker News: the hn.algolia.com ``/api/v1`` search, items and users endpoints.

Mirrors Algolia's hit shape, ``tags`` (with ``(a,b)`` OR groups), ``numericFilters`` and page-based
paging, so the Hacker News spider's queries work against the demo unchanged.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlencode

from pipeline.demo.formats.common import iso_z, matches_query, sentences, stable_hash, thread_posts, ts
from pipeline.demo.formats.routing import Req, Resp, jresp, route
from pipeline.demo.posts import Content, Post


def hn_html(text: str) -> str:
    parts = [html.escape(p, quote=True).replace("/", "&#x2F;") for p in text.split("\n\n") if p]
    return "<p>".join(parts)


def hn_story_id(content: Content, p: Post) -> Post:
    while p.parent:
        parent = content.parent_of("hackernews", p)
        assert parent is not None
        p = parent
    return p


def hn_fields(req: Req, p: Post) -> dict[str, Any]:
    root = hn_story_id(req.content, p)
    title, rest = sentences(root.text)
    parent = req.content.parent_of("hackernews", p)
    return {"root": root, "title": title, "story_text": hn_html(rest) if rest else "",
            "parent_id": int(parent.id) if parent else None}


def hn_hit(req: Req, p: Post) -> dict[str, Any]:
    f = hn_fields(req, p)
    root: Post = f["root"]
    is_story = p.parent is None
    kids = req.content.children("hackernews")
    hit: dict[str, Any] = {
        "created_at": iso_z(p.created), "created_at_i": ts(p.created), "updated_at": iso_z(p.created),
        "author": p.author, "objectID": p.id,
        "_tags": ["story" if is_story else "comment", f"author_{p.author}", f"story_{root.id}"],
        "children": [int(c.id) for c in kids.get(p.id, [])],
    }
    if is_story:
        hit.update({"title": f["title"], "url": None, "story_text": f["story_text"], "points": 1 + stable_hash(p.id) % 90,
                    "num_comments": len(thread_posts(req.content, "hackernews", p)) - 1, "story_id": int(p.id)})
        hl = {"title": {"value": f["title"], "matchLevel": "full", "matchedWords": [], "fullyHighlighted": False}}
    else:
        hit.update({"comment_text": hn_html(p.text), "story_id": int(root.id), "story_title": f["title"],
                    "story_url": None, "parent_id": f["parent_id"]})
        hl = {"comment_text": {"value": hn_html(p.text), "matchLevel": "full", "matchedWords": []}}
    hl["author"] = {"value": p.author, "matchLevel": "none", "matchedWords": []}
    hit["_highlightResult"] = hl
    return hit


def hn_tags_ok(tags: str | None, hit: dict[str, Any]) -> bool:
    if not tags:
        return True
    have = set(hit["_tags"])
    for group in re.findall(r"\([^)]*\)|[^,()]+", tags):
        options = [t.strip() for t in group.strip("()").split(",") if t.strip()]
        if options and not any(o in have for o in options):
            return False
    return True


def hn_numeric_ok(filters: str | None, hit: dict[str, Any]) -> bool:
    for cond in (filters or "").split(","):
        m = re.fullmatch(r"\s*(\w+)\s*(<=|>=|<|>|=|!=)\s*(-?\d+(?:\.\d+)?)\s*", cond)
        if not m:
            continue
        value = hit.get(m.group(1))
        if value is None:
            return False
        x = float(m.group(3))
        ok = {"<": value < x, ">": value > x, "<=": value <= x, ">=": value >= x, "=": value == x,
              "!=": value != x}[m.group(2)]
        if not ok:
            return False
    return True


@route("hackernews", r"/api/v1/(?P<kind>search|search_by_date)")
def hn_search(req: Req, m: re.Match[str]) -> Resp:
    query = req.arg("query", "") or ""
    hits = []
    for p in req.content.posts["hackernews"]:
        h = hn_hit(req, p)
        text = " ".join(str(h.get(k) or "") for k in ("title", "story_text", "comment_text", "author"))
        if matches_query(query, html.unescape(text)) and hn_tags_ok(req.arg("tags"), h) \
                and hn_numeric_ok(req.arg("numericFilters"), h):
            hits.append(h)
    hits.sort(key=lambda h: h["created_at_i"], reverse=True)
    if m.group("kind") == "search":
        hits.sort(key=lambda h: h.get("points") or 0, reverse=True)
    per = req.int_arg("hitsPerPage", 20, 0, 1000)
    page = req.int_arg("page", 0, 0)
    pages = (len(hits) + per - 1) // per if per else 0
    params = urlencode({k: v[-1] for k, v in req.query.items()})
    return jresp({
        "exhaustive": {"nbHits": True, "typo": True}, "exhaustiveNbHits": True, "exhaustiveTypo": True,
        "hits": hits[page * per:(page + 1) * per], "hitsPerPage": per, "nbHits": len(hits), "nbPages": pages,
        "page": page, "params": params, "processingTimeMS": 1, "query": query,
        "serverTimeMS": 2,
    })


def hn_item(req: Req, p: Post) -> dict[str, Any]:
    f = hn_fields(req, p)
    kids = sorted(req.content.children("hackernews").get(p.id, []), key=lambda x: x.created)
    story = p.parent is None
    return {
        "author": p.author, "children": [hn_item(req, c) for c in kids], "created_at": iso_z(p.created),
        "created_at_i": ts(p.created), "id": int(p.id), "options": [], "parent_id": f["parent_id"],
        "points": 1 + stable_hash(p.id) % 90 if story else None, "story_id": int(f["root"].id),
        "text": f["story_text"] if story else hn_html(p.text), "title": f["title"] if story else None,
        "type": "story" if story else "comment", "url": None,
    }


@route("hackernews", r"/api/v1/items/(?P<id>\d+)")
def hn_items(req: Req, m: re.Match[str]) -> Resp:
    p = req.content.by_id("hackernews").get(m.group("id"))
    if p is None:
        return jresp({"error": "Not Found", "status": 404}, 404)
    return jresp(hn_item(req, p))


@route("hackernews", r"/api/v1/users/(?P<name>[^/]+)")
def hn_users(req: Req, m: re.Match[str]) -> Resp:
    name = m.group("name")
    if not any(p.author == name for p in req.content.posts["hackernews"]):
        return jresp({"error": "Not Found", "status": 404}, 404)
    return jresp({"username": name, "about": "", "karma": 10 + stable_hash(name) % 900, "created_at": "2019-03-01T10:00:00.000Z"})
