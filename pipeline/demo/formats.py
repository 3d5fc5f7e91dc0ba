"""Wire formats: each platform's real API paths and response shapes over the demo content.

Every handler gets a :class:`Req` (path *below* the platform prefix, query, headers) and returns a
:class:`Resp`. Routes are registered per platform with :func:`route`; ``world.py`` dispatches on the
first path segment (the source type) and then on these routes.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote, unquote, urlencode

from pipeline.demo.content import (
    COMPANY,
    FACEBOOK_PAGE_ID,
    INSTAGRAM_USER_ID,
    LINKEDIN_ORG_ID,
    MASTODON_INSTANCE,
    OFFICIAL,
    Content,
    Post,
)

# --------------------------------------------------------------------------------------------------
# plumbing


@dataclass
class Req:
    method: str
    path: str  # below the platform prefix, always starting with "/"
    query: dict[str, list[str]]
    headers: Message
    body: bytes
    origin: str  # http://127.0.0.1:PORT
    prefix: str  # "/reddit"
    content: Content
    tokens: dict[str, str]

    @property
    def base(self) -> str:
        return self.origin + self.prefix

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def int_arg(self, name: str, default: int, lo: int = 0, hi: int = 10**9) -> int:
        try:
            value = int(self.arg(name) or default)
        except ValueError:
            value = default
        return max(lo, min(hi, value))


@dataclass
class Resp:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def jresp(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Resp:
    return Resp(status, json.dumps(obj, ensure_ascii=False).encode(), headers=headers or {})


def hresp(text: str, status: int = 200, ctype: str = "text/html; charset=utf-8") -> Resp:
    return Resp(status, text.encode(), content_type=ctype)


Handler = Callable[[Req, "re.Match[str]"], Resp]
ROUTES: dict[str, list[tuple[str, re.Pattern[str], Handler]]] = {}


def route(platform: str, pattern: str, method: str = "GET") -> Callable[[Handler], Handler]:
    def deco(fn: Handler) -> Handler:
        ROUTES.setdefault(platform, []).append((method, re.compile(pattern + r"\Z"), fn))
        return fn

    return deco


def iso_z(dt: datetime, ms: bool = True) -> str:
    s = dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return s + (".000Z" if ms else "Z")


def ts(dt: datetime) -> int:
    return int(dt.timestamp())


def _h(*parts: object) -> int:
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest(), 16)


def paragraphs_html(text: str) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n") if p)


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


# ==================================================================================================
# Reddit: www.reddit.com JSON (Listing / t3 / t1 / more; /api/morechildren)

SUBS = {"nb": ["norge", "oslo"], "nn": ["norge", "bergen"], "sv": ["sweden"], "da": ["Denmark"], "en": ["norway", "jobs"]}


def reddit_sub(root: Post) -> str:
    options = SUBS[root.lang]
    return options[_h(root.key) % len(options)]


def reddit_slug(title: str) -> str:
    s = re.sub(r"[^a-z0-9æøåäö]+", "_", title.lower()).strip("_")
    return s[:50] or "post"


def reddit_root(content: Content, p: Post) -> Post:
    while p.parent:
        parent = content.parent_of("reddit", p)
        assert parent is not None
        p = parent
    return p


def reddit_t3(req: Req, p: Post) -> dict[str, Any]:
    title, rest = sentences(p.text)
    sub = reddit_sub(p)
    n = len(thread_posts(req.content, "reddit", p)) - 1
    permalink = f"/r/{sub}/comments/{p.id}/{reddit_slug(title)}/"
    score = 1 + _h(p.id, "s") % 80
    return {"kind": "t3", "data": {
        "approved_at_utc": None, "subreddit": sub, "selftext": rest, "author_fullname": f"t2_{_h(p.author) % 10**8:x}",
        "saved": False, "gilded": 0, "clicked": False, "title": title, "subreddit_name_prefixed": f"r/{sub}",
        "hidden": False, "downs": 0, "name": f"t3_{p.id}", "upvote_ratio": 0.9, "ups": score, "score": score,
        "link_flair_text": None, "is_self": True, "domain": f"self.{sub}", "selftext_html":
        f'<!-- SC_OFF --><div class="md">{paragraphs_html(rest)}</div><!-- SC_ON -->' if rest else None,
        "likes": None, "edited": False, "distinguished": None, "stickied": False, "over_18": False,
        "spoiler": False, "locked": False, "subreddit_id": f"t5_{_h(sub) % 10**6:x}", "id": p.id,
        "author": p.author, "num_comments": n, "permalink": permalink, "url": f"{req.origin}/reddit{permalink}",
        "created": float(ts(p.created)), "created_utc": float(ts(p.created)), "thumbnail": "self",
        "archived": False, "is_video": False,
    }}


def reddit_t1(req: Req, p: Post, depth: int, replies: Any = "") -> dict[str, Any]:
    root = reddit_root(req.content, p)
    parent = req.content.parent_of("reddit", p)
    assert parent is not None
    parent_name = f"t3_{parent.id}" if parent.parent is None else f"t1_{parent.id}"
    sub = reddit_sub(root)
    title, _ = sentences(root.text)
    score = 1 + _h(p.id, "s") % 40
    return {"kind": "t1", "data": {
        "subreddit_id": f"t5_{_h(sub) % 10**6:x}", "approved_at_utc": None, "author_is_blocked": False,
        "edited": False, "gilded": 0, "author": p.author, "author_fullname": f"t2_{_h(p.author) % 10**8:x}",
        "replies": replies, "saved": False, "id": p.id, "archived": False, "score": score, "ups": score, "downs": 0,
        "parent_id": parent_name, "link_id": f"t3_{root.id}", "body": p.text,
        "body_html": f'<div class="md">{paragraphs_html(p.text)}</div>', "is_submitter": p.author == root.author,
        "stickied": False, "subreddit": sub, "score_hidden": False, "name": f"t1_{p.id}",
        "permalink": f"/r/{sub}/comments/{root.id}/{reddit_slug(title)}/{p.id}/",
        "created": float(ts(p.created)), "created_utc": float(ts(p.created)), "controversiality": 0,
        "distinguished": None, "depth": depth, "collapsed": False,
        "subreddit_name_prefixed": f"r/{sub}", "link_title": title, "link_author": root.author,
    }}


def listing(children: list[Any], after: str | None = None, before: str | None = None) -> dict[str, Any]:
    return {"kind": "Listing", "data": {"after": after, "dist": len(children) or None, "modhash": "",
                                        "geo_filter": "", "children": children, "before": before}}


def page_by_fullname(items: list[tuple[str, Any]], req: Req, default_limit: int = 25) -> tuple[list[Any], str | None, str | None]:
    """Reddit ``after``/``before``/``limit`` paging over (fullname, thing) pairs in listing order."""
    limit = req.int_arg("limit", default_limit, 1, 100)
    names = [n for n, _ in items]
    start = 0
    after, before = req.arg("after") or "", req.arg("before") or ""
    if after in names:
        start = names.index(after) + 1
    elif before in names:
        start = max(0, names.index(before) - limit)
    chunk = items[start:start + limit]
    nxt = chunk[-1][0] if chunk and start + limit < len(items) else None
    prev = chunk[0][0] if chunk and start > 0 else None
    return [t for _, t in chunk], nxt, prev


def reddit_posts(req: Req, sub: str | None) -> list[Post]:
    ps = [p for p in roots(req.content, "reddit") if sub is None or reddit_sub(p).lower() == sub.lower()]
    return sorted(ps, key=lambda p: p.created, reverse=True)


T_WINDOWS = {"hour": 1, "day": 24, "week": 24 * 7, "month": 24 * 31, "year": 24 * 366}


@route("reddit", r"(?:/r/(?P<sub>[^/]+))?/search(?:\.json)?/?")
def reddit_search(req: Req, m: re.Match[str]) -> Resp:
    sub = m.group("sub") if (req.arg("restrict_sr") or "").lower() in ("1", "on", "true") else None
    q = req.arg("q", "") or ""
    posts = [p for p in reddit_posts(req, sub) if matches_query(q, p.text)]
    window = T_WINDOWS.get(req.arg("t", "all") or "all")
    if window:
        posts = [p for p in posts if p.created >= req.content.anchor - timedelta(hours=window)]
    if req.arg("sort") == "comments":
        posts.sort(key=lambda p: len(thread_posts(req.content, "reddit", p)), reverse=True)
    elif req.arg("sort") in ("top", "relevance", "hot"):
        posts.sort(key=lambda p: _h(p.id, "s") % 80, reverse=True)
    things = [(f"t3_{p.id}", reddit_t3(req, p)) for p in posts]
    page, after, before = page_by_fullname(things, req)
    return jresp(listing(page, after, before))


@route("reddit", r"/r/(?P<sub>[^/]+)(?:/(?P<sort>new|hot|top|rising))?(?:\.json)?/?")
def reddit_sub_listing(req: Req, m: re.Match[str]) -> Resp:
    things = [(f"t3_{p.id}", reddit_t3(req, p)) for p in reddit_posts(req, m.group("sub"))]
    page, after, before = page_by_fullname(things, req)
    return jresp(listing(page, after, before))


@route("reddit", r"/r/(?P<sub>[^/]+)/comments(?:\.json)?/?")
def reddit_sub_comments(req: Req, m: re.Match[str]) -> Resp:
    sub = m.group("sub").lower()
    cs = [p for p in req.content.posts["reddit"] if p.parent and reddit_sub(reddit_root(req.content, p)).lower() == sub]
    cs.sort(key=lambda p: p.created, reverse=True)
    things = [(f"t1_{p.id}", reddit_t1(req, p, 0)) for p in cs]
    page, after, before = page_by_fullname(things, req)
    return jresp(listing(page, after, before))


@route("reddit", r"/user/(?P<user>[^/]+)(?:/(?P<what>comments|submitted|overview))?(?:\.json)?/?")
def reddit_user(req: Req, m: re.Match[str]) -> Resp:
    what = m.group("what") or "overview"
    ps = [p for p in req.content.posts["reddit"] if p.author.lower() == m.group("user").lower()]
    if what == "comments":
        ps = [p for p in ps if p.parent]
    elif what == "submitted":
        ps = [p for p in ps if not p.parent]
    ps.sort(key=lambda p: p.created, reverse=True)
    things = [(f"t1_{p.id}", reddit_t1(req, p, 0)) if p.parent else (f"t3_{p.id}", reddit_t3(req, p)) for p in ps]
    page, after, before = page_by_fullname(things, req)
    return jresp(listing(page, after, before))


def reddit_forest(req: Req, parent: Post, depth: int, budget: list[int], max_depth: int) -> list[Any]:
    """Comment forest under ``parent`` honouring ``limit`` (budget) and ``depth`` with ``more`` stubs."""
    kids = sorted(req.content.children("reddit").get(parent.id, []), key=lambda x: x.created)
    out: list[Any] = []
    parent_name = f"t3_{parent.id}" if parent.parent is None else f"t1_{parent.id}"
    for i, c in enumerate(kids):
        if budget[0] <= 0:
            rest = kids[i:]
            count = sum(len(thread_posts(req.content, "reddit", k)) for k in rest)
            out.append({"kind": "more", "data": {"count": count, "name": f"t1_{rest[0].id}", "id": rest[0].id,
                                                 "parent_id": parent_name, "depth": depth,
                                                 "children": [k.id for k in rest]}})
            break
        budget[0] -= 1
        if depth + 1 >= max_depth and req.content.children("reddit").get(c.id):
            # "continue this thread"
            replies: Any = listing([{"kind": "more", "data": {"count": 0, "name": "t1__", "id": "_",
                                                               "parent_id": f"t1_{c.id}", "depth": depth + 1,
                                                               "children": []}}])
        else:
            sub = reddit_forest(req, c, depth + 1, budget, max_depth)
            replies = listing(sub) if sub else ""
        out.append(reddit_t1(req, c, depth, replies))
    return out


@route("reddit", r"(?:/r/[^/]+)?/comments/(?P<id>[a-z0-9]+)(?:/(?P<slug>[^/.]*)(?:/(?P<focus>[a-z0-9]+))?)?/?(?P<json>\.json)?/?")
def reddit_thread(req: Req, m: re.Match[str]) -> Resp:
    post = req.content.by_id("reddit").get(m.group("id"))
    if post is None or post.parent is not None:
        return jresp({"message": "Not Found", "error": 404}, 404)
    if not m.group("json") and not req.path.endswith(".json"):
        return hresp(page_html(post.text[:60], thread_posts(req.content, "reddit", post), post.lang))
    budget = [req.int_arg("limit", 200, 1, 500)]
    max_depth = req.int_arg("depth", 10, 1, 10)
    focus = req.content.by_id("reddit").get(m.group("focus") or "")
    if focus is not None and focus.parent is not None:
        comments = [reddit_t1(req, focus, 0, listing(reddit_forest(req, focus, 1, budget, max_depth)) or "")]
    else:
        comments = reddit_forest(req, post, 0, budget, max_depth)
    return jresp([listing([reddit_t3(req, post)]), listing(comments)])


@route("reddit", r"/api/morechildren(?:\.json)?/?")
def reddit_morechildren(req: Req, m: re.Match[str]) -> Resp:
    ids = [c for c in (req.arg("children") or "").split(",") if c]
    link = (req.arg("link_id") or "").removeprefix("t3_")
    by_id = req.content.by_id("reddit")
    things: list[Any] = []
    seen: set[str] = set()
    for cid in ids:
        c = by_id.get(cid)
        if c is None or c.parent is None or reddit_root(req.content, c).id != link:
            continue
        for p in thread_posts(req.content, "reddit", c):
            if p.id not in seen:
                seen.add(p.id)
                depth = 0
                q: Post | None = p
                while q is not None and q.parent is not None:
                    q = req.content.parent_of("reddit", q)
                    depth += 1
                things.append(reddit_t1(req, p, depth - 1, ""))
    if (req.arg("api_type") or "") != "json":
        return jresp({"jquery": [], "success": True, "things": things})  # legacy form, rarely used
    return jresp({"json": {"errors": [], "data": {"things": things}}})


@route("reddit", r"/api/info(?:\.json)?/?")
def reddit_info(req: Req, m: re.Match[str]) -> Resp:
    by_id = req.content.by_id("reddit")
    out = []
    for name in (req.arg("id") or "").split(","):
        p = by_id.get(name.partition("_")[2])
        if p is not None:
            out.append(reddit_t1(req, p, 0) if p.parent else reddit_t3(req, p))
    return jresp(listing(out))


# ==================================================================================================
# Hacker News: hn.algolia.com/api/v1 (search, search_by_date, items, users)


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
        hit.update({"title": f["title"], "url": None, "story_text": f["story_text"], "points": 1 + _h(p.id) % 90,
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
        "points": 1 + _h(p.id) % 90 if story else None, "story_id": int(f["root"].id),
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
    return jresp({"username": name, "about": "", "karma": 10 + _h(name) % 900, "created_at": "2019-03-01T10:00:00.000Z"})


# ==================================================================================================
# Mastodon: /api/v1 (statuses, context, accounts, timelines) and /api/v2/search


def masto_account(req: Req, acct: str) -> dict[str, Any]:
    username, _, domain = acct.partition("@")
    local = not domain or domain == MASTODON_INSTANCE
    official = acct == OFFICIAL["mastodon"]
    url = f"{req.base}/@{username}" if local else f"https://{domain}/@{username}"
    n = sum(1 for p in req.content.posts["mastodon"] if p.author == acct)
    return {
        "id": str(100000 + _h("acct", acct) % 900000), "username": username, "acct": username if local else acct,
        "display_name": "Nordlys Logistikk" if official else username.rstrip("0123456789").capitalize(),
        "locked": False, "bot": False, "discoverable": True, "indexable": True, "group": False,
        "created_at": f"2022-11-0{1 + _h(acct) % 9}T12:00:00.000Z",
        "note": "<p>Offisiell konto for Nordlys Logistikk AS. Spørsmål om jobb: hr@nordlyslogistikk.no</p>" if official else "<p></p>",
        "url": url,
        # the canonical ActivityPub id names the instance, not the port the demo happens to listen on
        "uri": f"https://{MASTODON_INSTANCE}/users/{username}" if local else url.replace("/@", "/users/"), "avatar": f"{req.base}/avatars/missing.png",
        "avatar_static": f"{req.base}/avatars/missing.png", "header": f"{req.base}/headers/missing.png",
        "header_static": f"{req.base}/headers/missing.png", "followers_count": 10 + _h(acct, "f") % 500,
        "following_count": 5 + _h(acct, "g") % 300, "statuses_count": n, "last_status_at": None,
        "emojis": [], "fields": [],
    }


TAG = "nordlyslogistikk"


def masto_tags(p: Post) -> list[str]:
    if p.parent is None and p.mentions_company and _h(p.key, "tag") % 10 < 7:
        return [TAG]
    if p.kind == "exclude":
        return ["nordlys"]
    return []


def masto_status(req: Req, p: Post) -> dict[str, Any]:
    acct = masto_account(req, p.author)
    parent = req.content.parent_of("mastodon", p)
    kids = req.content.children("mastodon").get(p.id, [])
    body = paragraphs_html(p.text)
    mentions = []
    if parent is not None:
        pa = masto_account(req, parent.author)
        body = (f'<p><span class="h-card" translate="no"><a href="{pa["url"]}" class="u-url mention">@<span>'
                f'{pa["username"]}</span></a></span> ' + body[3:])
        mentions.append({"id": pa["id"], "username": pa["username"], "url": pa["url"], "acct": pa["acct"]})
    tags = masto_tags(p)
    if tags:
        links = " ".join(f'<a href="{req.base}/tags/{t}" class="mention hashtag" rel="tag">#<span>{t}</span></a>'
                         for t in tags)
        body = body[:-4] + " " + links + "</p>"
    url = f"{acct['url']}/{p.id}"
    return {
        "id": p.id, "created_at": iso_z(p.created), "in_reply_to_id": parent.id if parent else None,
        "in_reply_to_account_id": masto_account(req, parent.author)["id"] if parent else None,
        "sensitive": False, "spoiler_text": "", "visibility": "public", "language": p.lang,
        "uri": acct["uri"] + f"/statuses/{p.id}", "url": url, "replies_count": len(kids),
        "reblogs_count": _h(p.id, "r") % 5, "favourites_count": _h(p.id, "f") % 20, "quotes_count": 0,
        "edited_at": None, "favourited": False, "reblogged": False, "muted": False, "bookmarked": False,
        "content": body, "filtered": [], "reblog": None, "application": {"name": "Web", "website": None},
        "account": acct, "media_attachments": [], "mentions": mentions,
        "tags": [{"name": t, "url": f"{req.base}/tags/{t}"} for t in tags], "emojis": [], "quote": None,
        "card": None, "poll": None,
    }


def masto_page(req: Req, statuses: list[Post], path: str, default_limit: int = 20, max_limit: int = 40) -> Resp:
    """Newest-first list paged by max_id / since_id / min_id, with the real Link header."""
    limit = req.int_arg("limit", default_limit, 1, max_limit)
    items = sorted(statuses, key=lambda p: int(p.id), reverse=True)
    if req.arg("max_id"):
        items = [p for p in items if int(p.id) < int(req.arg("max_id") or 0)]
    if req.arg("since_id"):
        items = [p for p in items if int(p.id) > int(req.arg("since_id") or 0)]
    if req.arg("min_id"):
        items = [p for p in items if int(p.id) > int(req.arg("min_id") or 0)][-limit:]
    page = items[:limit]
    headers = {}
    if page:
        keep = {k: v[-1] for k, v in req.query.items() if k not in ("max_id", "since_id", "min_id")}
        nxt = f"{req.base}{path}?{urlencode({**keep, 'max_id': page[-1].id})}"
        prev = f"{req.base}{path}?{urlencode({**keep, 'min_id': page[0].id})}"
        headers["Link"] = f'<{nxt}>; rel="next", <{prev}>; rel="prev"'
    return jresp([masto_status(req, p) for p in page], headers=headers)


def masto_not_found() -> Resp:
    return jresp({"error": "Record not found"}, 404)


@route("mastodon", r"/api/v1/statuses/(?P<id>\d+)")
def masto_get_status(req: Req, m: re.Match[str]) -> Resp:
    p = req.content.by_id("mastodon").get(m.group("id"))
    return jresp(masto_status(req, p)) if p else masto_not_found()


@route("mastodon", r"/api/v1/statuses/(?P<id>\d+)/context")
def masto_context(req: Req, m: re.Match[str]) -> Resp:
    p = req.content.by_id("mastodon").get(m.group("id"))
    if p is None:
        return masto_not_found()
    ancestors: list[dict[str, Any]] = []
    q = req.content.parent_of("mastodon", p)
    while q is not None:
        ancestors.insert(0, masto_status(req, q))
        q = req.content.parent_of("mastodon", q)
    descendants = [masto_status(req, d) for d in thread_posts(req.content, "mastodon", p)[1:]]
    return jresp({"ancestors": ancestors, "descendants": descendants})


@route("mastodon", r"/api/v2/search")
def masto_search(req: Req, m: re.Match[str]) -> Resp:
    q = req.arg("q", "") or ""
    typ = req.arg("type")
    out: dict[str, Any] = {"accounts": [], "statuses": [], "hashtags": []}
    limit = req.int_arg("limit", 20, 1, 40)
    offset = req.int_arg("offset", 0, 0)
    if typ in (None, "statuses"):
        hits = [p for p in req.content.posts["mastodon"] if matches_query(q.lstrip("#"), p.text, " ".join(masto_tags(p)))]
        hits.sort(key=lambda p: int(p.id), reverse=True)
        out["statuses"] = [masto_status(req, p) for p in hits[offset:offset + limit]]
    if typ in (None, "hashtags") and TAG.startswith(q.lstrip("#").lower().replace(" ", "")):
        out["hashtags"] = [{"name": TAG, "url": f"{req.base}/tags/{TAG}", "history": []}]
    if typ in (None, "accounts"):
        accts = sorted({p.author for p in req.content.posts["mastodon"]})
        out["accounts"] = [masto_account(req, a) for a in accts if q.lower().lstrip("@") in a.lower()][:limit]
    return jresp(out)


@route("mastodon", r"/api/v1/timelines/tag/(?P<tag>[^/]+)")
def masto_tag(req: Req, m: re.Match[str]) -> Resp:
    tag = unquote(m.group("tag")).lower()
    ps = [p for p in req.content.posts["mastodon"] if tag in masto_tags(p)]
    return masto_page(req, ps, f"/api/v1/timelines/tag/{m.group('tag')}")


@route("mastodon", r"/api/v1/timelines/public")
def masto_public(req: Req, m: re.Match[str]) -> Resp:
    return masto_page(req, list(req.content.posts["mastodon"]), "/api/v1/timelines/public")


def masto_find_account(req: Req, key: str, by: str) -> str | None:
    for a in sorted({p.author for p in req.content.posts["mastodon"]}):
        acc = masto_account(req, a)
        if (by == "id" and acc["id"] == key) or (by == "acct" and key.lstrip("@") in (
                acc["acct"], a, f"{acc['username']}@{MASTODON_INSTANCE}")):
            return a
    return None


@route("mastodon", r"/api/v1/accounts/lookup")
def masto_lookup(req: Req, m: re.Match[str]) -> Resp:
    a = masto_find_account(req, req.arg("acct", "") or "", "acct")
    return jresp(masto_account(req, a)) if a else masto_not_found()


@route("mastodon", r"/api/v1/accounts/(?P<id>\d+)")
def masto_get_account(req: Req, m: re.Match[str]) -> Resp:
    a = masto_find_account(req, m.group("id"), "id")
    return jresp(masto_account(req, a)) if a else masto_not_found()


@route("mastodon", r"/api/v1/accounts/(?P<id>\d+)/statuses")
def masto_account_statuses(req: Req, m: re.Match[str]) -> Resp:
    a = masto_find_account(req, m.group("id"), "id")
    if a is None:
        return masto_not_found()
    ps = [p for p in req.content.posts["mastodon"] if p.author == a]
    if (req.arg("exclude_replies") or "").lower() in ("1", "true"):
        ps = [p for p in ps if p.parent is None]
    return masto_page(req, ps, f"/api/v1/accounts/{m.group('id')}/statuses")


@route("mastodon", r"/api/v[12]/instance")
def masto_instance(req: Req, m: re.Match[str]) -> Resp:
    return jresp({"domain": MASTODON_INSTANCE, "uri": MASTODON_INSTANCE, "title": "Snabel (demo)",
                  "version": "4.3.0", "languages": ["nb", "nn", "en"], "registrations": {"enabled": False}})


# ==================================================================================================
# Bluesky: AppView XRPC (searchPosts, getAuthorFeed, getPostThread, getPosts, getProfile, resolveHandle)


def bsky_did(handle: str) -> str:
    return "did:plc:" + f"{_h('did', handle):x}"[:24]


def bsky_uri(p: Post) -> str:
    return f"at://{bsky_did(p.author)}/app.bsky.feed.post/{p.id}"


def bsky_cid(p: Post) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    n = _h("cid", p.key)
    return "bafyrei" + "".join(alphabet[(n >> (5 * i)) & 31] for i in range(52))


def bsky_author(handle: str) -> dict[str, Any]:
    official = handle == OFFICIAL["bluesky"]
    name = "Nordlys Logistikk" if official else handle.split(".")[0].rstrip("0123456789").capitalize()
    return {"did": bsky_did(handle), "handle": handle, "displayName": name, "associated": {},
            "viewer": {"muted": False, "blockedBy": False}, "labels": [], "createdAt": "2023-09-14T08:00:00.000Z"}


def bsky_post(req: Req, p: Post) -> dict[str, Any]:
    record: dict[str, Any] = {"$type": "app.bsky.feed.post", "createdAt": iso_z(p.created), "langs": [p.lang],
                              "text": p.text}
    parent = req.content.parent_of("bluesky", p)
    if parent is not None:
        root = parent
        while root.parent:
            nxt = req.content.parent_of("bluesky", root)
            assert nxt is not None
            root = nxt
        record["reply"] = {"parent": {"cid": bsky_cid(parent), "uri": bsky_uri(parent)},
                           "root": {"cid": bsky_cid(root), "uri": bsky_uri(root)}}
    kids = req.content.children("bluesky").get(p.id, [])
    return {"uri": bsky_uri(p), "cid": bsky_cid(p), "author": bsky_author(p.author), "record": record,
            "replyCount": len(kids), "repostCount": _h(p.id, "r") % 4, "likeCount": _h(p.id, "l") % 30,
            "quoteCount": 0, "indexedAt": iso_z(p.created + timedelta(seconds=2)),
            "viewer": {"threadMuted": False, "embeddingDisabled": False}, "labels": []}


def bsky_error(error: str, message: str, status: int = 400) -> Resp:
    return jresp({"error": error, "message": message}, status)


def bsky_by_uri(req: Req, uri: str) -> Post | None:
    m = re.fullmatch(r"at://([^/]+)/app\.bsky\.feed\.post/([^/]+)", uri)
    if not m:
        return None
    p = req.content.by_id("bluesky").get(m.group(2))
    if p is None or m.group(1) not in (bsky_did(p.author), p.author):
        return None
    return p


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


BSKY_SESSION_HANDLE = "rykte-demo.bsky.social"


def bsky_access_jwt(req: Req) -> str:
    """The (opaque, for the demo) access token createSession hands out for the demo app password."""
    return "eyJhbGciOiJFUzI1NksifQ." + base64.urlsafe_b64encode(
        f"{BSKY_SESSION_HANDLE}:{req.tokens.get('bluesky', '')}".encode()).decode().rstrip("=") + ".demo"


@route("bluesky", r"/xrpc/com\.atproto\.server\.createSession", method="POST")
def bsky_create_session(req: Req, m: re.Match[str]) -> Resp:
    try:
        body = json.loads(req.body or b"{}")
    except ValueError:
        return bsky_error("InvalidRequest", "Request body is not JSON")
    if not isinstance(body, dict) or not body.get("identifier") or not body.get("password"):
        return bsky_error("InvalidRequest", 'Input must have the property "identifier"')
    if body["identifier"] not in (BSKY_SESSION_HANDLE, bsky_did(BSKY_SESSION_HANDLE)) or \
            body["password"] != req.tokens.get("bluesky"):
        return bsky_error("AuthenticationRequired", "Invalid identifier or password", 401)
    jwt = bsky_access_jwt(req)
    return jresp({"did": bsky_did(BSKY_SESSION_HANDLE), "handle": BSKY_SESSION_HANDLE, "email": None,
                  "emailConfirmed": False, "accessJwt": jwt, "refreshJwt": jwt.replace(".demo", ".refresh"),
                  "active": True})


@route("bluesky", r"/xrpc/app\.bsky\.feed\.searchPosts")
def bsky_search(req: Req, m: re.Match[str]) -> Resp:
    auth = req.headers.get("Authorization") or ""
    if not auth.startswith("Bearer "):
        return bsky_error("AuthMissing", "Authentication Required", 401)
    if auth[7:].strip() != bsky_access_jwt(req):
        return bsky_error("InvalidToken", "Token could not be verified", 400)
    q = req.arg("q")
    if not q:
        return bsky_error("InvalidRequest", 'Error: Params must have the property "q"')
    limit = req.int_arg("limit", 25, 1, 100)
    offset = req.int_arg("cursor", 0, 0)
    since, until = _parse_time(req.arg("since")), _parse_time(req.arg("until"))
    lang, author = req.arg("lang"), req.arg("author")
    hits = [p for p in req.content.posts["bluesky"] if matches_query(q, p.text)
            and (since is None or p.created >= since) and (until is None or p.created < until)
            and (lang is None or p.lang == lang) and (author is None or author in (p.author, bsky_did(p.author)))]
    hits.sort(key=lambda p: p.created, reverse=True)
    page = hits[offset:offset + limit]
    out: dict[str, Any] = {"hitsTotal": len(hits), "posts": [bsky_post(req, p) for p in page]}
    if offset + limit < len(hits):
        out["cursor"] = str(offset + limit)
    return jresp(out)


def bsky_reply_ref(req: Req, p: Post) -> dict[str, Any] | None:
    parent = req.content.parent_of("bluesky", p)
    if parent is None:
        return None
    root = parent
    while root.parent:
        nxt = req.content.parent_of("bluesky", root)
        assert nxt is not None
        root = nxt
    view = lambda x: {"$type": "app.bsky.feed.defs#postView", **bsky_post(req, x)}  # noqa: E731
    return {"root": view(root), "parent": view(parent)}


@route("bluesky", r"/xrpc/app\.bsky\.feed\.getAuthorFeed")
def bsky_author_feed(req: Req, m: re.Match[str]) -> Resp:
    actor = req.arg("actor")
    if not actor:
        return bsky_error("InvalidRequest", 'Error: Params must have the property "actor"')
    handles = {p.author for p in req.content.posts["bluesky"]}
    handle = next((h for h in handles if actor in (h, bsky_did(h))), None)
    if handle is None:
        return bsky_error("InvalidRequest", "Profile not found")
    ps = [p for p in req.content.posts["bluesky"] if p.author == handle]
    filt = req.arg("filter", "posts_with_replies")
    if filt in ("posts_no_replies", "posts_and_author_threads"):
        ps = [p for p in ps if p.parent is None]
    ps.sort(key=lambda p: p.created, reverse=True)
    cursor = _parse_time(req.arg("cursor"))
    if cursor:
        ps = [p for p in ps if p.created < cursor]
    limit = req.int_arg("limit", 50, 1, 100)
    page = ps[:limit]
    feed = []
    for p in page:
        item: dict[str, Any] = {"post": bsky_post(req, p)}
        ref = bsky_reply_ref(req, p)
        if ref:
            item["reply"] = ref
        feed.append(item)
    out: dict[str, Any] = {"feed": feed}
    if len(ps) > limit:
        out["cursor"] = iso_z(page[-1].created)
    return jresp(out)


def bsky_thread_view(req: Req, p: Post, depth: int) -> dict[str, Any]:
    kids = sorted(req.content.children("bluesky").get(p.id, []), key=lambda x: x.created)
    view: dict[str, Any] = {"$type": "app.bsky.feed.defs#threadViewPost", "post": bsky_post(req, p)}
    if depth > 0:
        view["replies"] = [bsky_thread_view(req, c, depth - 1) for c in kids]
    return view


@route("bluesky", r"/xrpc/app\.bsky\.feed\.getPostThread")
def bsky_thread(req: Req, m: re.Match[str]) -> Resp:
    uri = req.arg("uri")
    if not uri:
        return bsky_error("InvalidRequest", 'Error: Params must have the property "uri"')
    p = bsky_by_uri(req, uri)
    if p is None:
        return bsky_error("NotFound", f"Post not found: {uri}")
    view = bsky_thread_view(req, p, req.int_arg("depth", 6, 0, 1000))
    node, q = view, req.content.parent_of("bluesky", p)
    height = req.int_arg("parentHeight", 80, 0, 1000)
    while q is not None and height > 0:
        node["parent"] = {"$type": "app.bsky.feed.defs#threadViewPost", "post": bsky_post(req, q)}
        node, q, height = node["parent"], req.content.parent_of("bluesky", q), height - 1
    return jresp({"thread": view})


@route("bluesky", r"/xrpc/app\.bsky\.feed\.getPosts")
def bsky_get_posts(req: Req, m: re.Match[str]) -> Resp:
    posts = [bsky_by_uri(req, u) for u in req.query.get("uris", [])]
    return jresp({"posts": [bsky_post(req, p) for p in posts if p is not None]})


@route("bluesky", r"/xrpc/app\.bsky\.actor\.getProfile")
def bsky_profile(req: Req, m: re.Match[str]) -> Resp:
    actor = req.arg("actor") or ""
    for h in sorted({p.author for p in req.content.posts["bluesky"]}):
        if actor in (h, bsky_did(h)):
            n = sum(1 for p in req.content.posts["bluesky"] if p.author == h)
            return jresp({**bsky_author(h), "postsCount": n, "followersCount": 10 + _h(h) % 400,
                          "followsCount": 5 + _h(h, 1) % 200, "description": ""})
    return bsky_error("InvalidRequest", "Profile not found")


@route("bluesky", r"/xrpc/com\.atproto\.identity\.resolveHandle")
def bsky_resolve(req: Req, m: re.Match[str]) -> Resp:
    handle = req.arg("handle") or ""
    if handle in {p.author for p in req.content.posts["bluesky"]}:
        return jresp({"did": bsky_did(handle)})
    return bsky_error("InvalidRequest", "Unable to resolve handle")


# ==================================================================================================
# Trustpilot: review pages with the Next.js __NEXT_DATA__ payload

TP_DOMAIN = str(COMPANY["domain"])
TP_PER_PAGE = 20
TP_COUNTRIES = {"nb": "NO", "nn": "NO", "sv": "SE", "da": "DK", "en": "GB"}


def tp_reviews(req: Req) -> list[tuple[Post, Post | None]]:
    kids = req.content.children("trustpilot")
    out = []
    for r in roots(req.content, "trustpilot"):
        replies = [k for k in kids.get(r.id, []) if k.official]
        out.append((r, replies[0] if replies else None))
    out.sort(key=lambda x: x[0].created, reverse=True)
    return out


def tp_review(review: Post, reply: Post | None) -> dict[str, Any]:
    cid = f"{_h('consumer', review.author):024x}"[:24]
    return {
        "id": review.id, "filtered": False, "pending": False, "text": review.text, "rating": review.rating,
        "labels": {"merged": None, "verification": {
            "isVerified": _h(review.id) % 3 == 0, "createdDateTime": iso_z(review.created),
            "reviewSourceName": "Organic", "verificationSource": "invitation", "verificationLevel": "not-verified",
            "hasDachExclusion": False}},
        "title": review.title, "likes": _h(review.id, "l") % 4, "source": "Organic",
        "dates": {"experiencedDate": iso_z((review.created - timedelta(days=3 + _h(review.id) % 20)).replace(
            hour=0, minute=0, second=0)), "publishedDate": iso_z(review.created),
            "updatedDate": iso_z(review.edited) if review.edited else None, "submittedDate": None},
        "report": None, "hasUnhandledReports": False,
        "consumer": {"id": cid, "displayName": review.author, "imageUrl": "", "numberOfReviews": 1 + _h(cid) % 7,
                     "countryCode": TP_COUNTRIES[review.lang], "hasImage": False, "isVerified": False},
        "reply": {"message": reply.text, "publishedDate": iso_z(reply.created), "updatedDate": None} if reply else None,
        "consumersReviewCountOnSameDomain": 1, "consumersReviewCountOnSameLocation": None, "productReviews": [],
        "language": review.lang, "location": None,
    }


def tp_business(req: Req, total: int, avg: float) -> dict[str, Any]:
    return {"id": "64a1f0c2e4b0d1a2b3c4d5e6", "displayName": "Nordlys Logistikk", "identifyingName": TP_DOMAIN,
            "numberOfReviews": total, "trustScore": round(avg, 1), "websiteUrl": f"https://{TP_DOMAIN}",
            "websiteTitle": TP_DOMAIN, "profileImageUrl": "", "stars": round(avg * 2) / 2,
            "categories": [{"id": "logistics_service", "name": "Logistics Service", "isPrimary": True}],
            "isClaimed": True, "isClosed": False, "verification": {"verifiedByGoogle": False}}


def next_data_page(title: str, data: dict[str, Any], body: str, lang: str = "en", head: str = "") -> str:
    blob = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"{head}</head><body><div id=\"__next\">{body}</div>"
            f'<script id="__NEXT_DATA__" type="application/json">{blob}</script></body></html>')


@route("trustpilot", r"/review/(?P<domain>[^/?]+)")
def tp_page(req: Req, m: re.Match[str]) -> Resp:
    if m.group("domain").lower() not in (TP_DOMAIN, "www." + TP_DOMAIN):
        return hresp("<html><body><h1>404 – Page not found</h1></body></html>", 404)
    items = tp_reviews(req)
    stars = req.arg("stars")
    if stars:
        wanted = {int(s) for s in stars.split(",") if s.isdigit()}
        items = [x for x in items if x[0].rating in wanted]
    langs = req.arg("languages", "all")
    if langs and langs != "all":
        items = [x for x in items if x[0].lang in langs.split(",")]
    total = len(items)
    pages = max(1, (total + TP_PER_PAGE - 1) // TP_PER_PAGE)
    page = req.int_arg("page", 1, 1)
    if page > pages:
        return hresp("<html><body><h1>404 – Page not found</h1></body></html>", 404)
    chunk = items[(page - 1) * TP_PER_PAGE:page * TP_PER_PAGE]
    ratings = [r.rating or 0 for r, _ in tp_reviews(req)]
    avg = sum(ratings) / len(ratings) if ratings else 0
    reviews = [tp_review(r, reply) for r, reply in chunk]
    url = f"{req.base}/review/{TP_DOMAIN}"
    data = {"props": {"pageProps": {
        "businessUnit": tp_business(req, len(ratings), avg), "reviews": reviews,
        "filters": {"pagination": {"currentPage": page, "perPage": TP_PER_PAGE, "totalCount": total,
                                   "totalPages": pages},
                    "selected": {"languages": langs or "all", "stars": stars, "sort": req.arg("sort", "recency")}},
        "pageUrl": url, "canonicalUrl": url + (f"?page={page}" if page > 1 else ""),
    }, "__N_SSP": True}, "page": "/review/[businessUnit]",
        "query": {"businessUnit": TP_DOMAIN, **({"page": str(page)} if page > 1 else {})},
        "buildId": "businessunitprofile-consumersite-2.1234.0", "isFallback": False, "gssp": True,
        "locale": "en-US", "locales": ["en-US", "nb-NO", "sv-SE", "da-DK"], "scriptLoader": []}
    cards = []
    for r in reviews:
        reply_html = ""
        if r["reply"]:
            reply_html = (f'<div data-service-review-business-reply="true"><p>Reply from Nordlys Logistikk</p>'
                          f'<time datetime="{r["reply"]["publishedDate"]}"></time>'
                          f'<p data-service-review-business-reply-text-typography="true">{html.escape(r["reply"]["message"])}</p></div>')
        cards.append(
            f'<article data-service-review-card-paper="true"><aside><span data-consumer-name-typography="true">'
            f'{html.escape(r["consumer"]["displayName"])}</span></aside><section>'
            f'<div data-service-review-rating="{r["rating"]}"><img alt="Rated {r["rating"]} out of 5 stars"></div>'
            f'<time datetime="{r["dates"]["publishedDate"]}"></time>'
            f'<a href="/reviews/{r["id"]}" data-review-title-typography="true"><h2>{html.escape(r["title"] or "")}</h2></a>'
            f'<p data-service-review-text-typography="true">{html.escape(r["text"])}</p></section>{reply_html}</article>')
    nav = ""
    canonical = url + (f"?page={page}" if page > 1 else "")
    head = f'<link rel="canonical" href="{canonical}">'
    if page < pages:
        nav = f'<a name="pagination-button-next" href="/trustpilot/review/{TP_DOMAIN}?page={page + 1}">Next page</a>'
        head += f'<link rel="next" href="{url}?page={page + 1}">'
    if page > 1:
        head += f'<link rel="prev" href="{url}?page={page - 1}">'
    body = f"<main><h1>Nordlys Logistikk Reviews</h1>{''.join(cards)}<nav>{nav}</nav></main>"
    return hresp(next_data_page(f"Nordlys Logistikk Reviews | Read Customer Service Reviews of {TP_DOMAIN}",
                                data, body, head=head))


@route("trustpilot", r"/reviews/(?P<id>[0-9a-f]{24})")
def tp_single(req: Req, m: re.Match[str]) -> Resp:
    for r, reply in tp_reviews(req):
        if r.id == m.group("id"):
            review = tp_review(r, reply)
            data = {"props": {"pageProps": {"review": review, "businessUnit": tp_business(req, 0, 0)}},
                    "page": "/reviews/[reviewId]", "query": {"reviewId": r.id}}
            body = f"<main><h1>{html.escape(r.title or '')}</h1><p>{html.escape(r.text)}</p></main>"
            return hresp(next_data_page(r.title or "", data, body))
    return hresp("<html><body><h1>404</h1></body></html>", 404)


# ==================================================================================================
# News: RSS 2.0, Atom, a Google-News-style search feed, and article pages


def article_path(a: Any) -> str:
    d = a.created
    return f"/{a.publisher}/{d:%Y/%m/%d}/{a.slug}"


def rfc822(dt: datetime) -> str:
    return format_datetime(dt.astimezone(UTC), usegmt=True)


def x(text: str) -> str:
    return html.escape(text, quote=True)


def _news_articles(req: Req, publisher: str | None = None) -> list[Any]:
    arts = [a for a in req.content.articles if publisher is None or a.publisher == publisher]
    return sorted(arts, key=lambda a: a.created, reverse=True)


@route("news", r"/(?:(?P<pub>[a-z]+)/)?rss(?:\.xml)?")
def news_rss(req: Req, m: re.Match[str]) -> Resp:
    arts = _news_articles(req, m.group("pub"))
    # a publisher's feed declares its language; the combined feed mixes languages and declares none
    lang_tag = f"<language>{arts[0].lang}</language>" if m.group("pub") and arts else ""
    items = "".join(
        f"<item><title>{x(a.title)}</title><link>{req.base}{article_path(a)}</link>"
        f'<guid isPermaLink="false">urn:nordlys-demo:article:{a.key}</guid><pubDate>{rfc822(a.created)}</pubDate>'
        f"<description>{x(a.lead)}</description><dc:creator>{x(a.author)}</dc:creator>"
        f"<category>{x(a.publisher_name)}</category></item>" for a in arts)
    now = rfc822(req.content.anchor)
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
           'xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Nordiske nyheter (demo)</title>'
           f'<link>{req.base}/</link><description>Næringsliv og arbeidsliv i Norden</description>'
           f'{lang_tag}<lastBuildDate>{now}</lastBuildDate>'
           f'<atom:link href="{req.base}{req.path}" rel="self" type="application/rss+xml"/>{items}</channel></rss>')
    return hresp(xml, ctype="application/rss+xml; charset=utf-8")


@route("news", r"/(?:(?P<pub>[a-z]+)/)?atom(?:\.xml)?")
def news_atom(req: Req, m: re.Match[str]) -> Resp:
    arts = _news_articles(req, m.group("pub"))
    entries = "".join(
        f'<entry><title>{x(a.title)}</title><link rel="alternate" href="{req.base}{article_path(a)}"/>'
        f"<id>urn:nordlys-demo:article:{a.key}</id><published>{iso_z(a.created, False)}</published>"
        f"<updated>{iso_z(a.created, False)}</updated><author><name>{x(a.author)}</name></author>"
        f'<summary>{x(a.lead)}</summary><category term="{x(a.publisher_name)}"/></entry>' for a in arts)
    lang = f' xml:lang="{arts[0].lang}"' if m.group("pub") and arts else ""
    xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"{lang}>'
           f'<title>Nordiske nyheter (demo)</title><id>{req.base}{req.path}</id>'
           f'<link rel="self" href="{req.base}{req.path}"/><link rel="alternate" href="{req.base}/"/>'
           f"<updated>{iso_z(req.content.anchor, False)}</updated>{entries}</feed>")
    return hresp(xml, ctype="application/atom+xml; charset=utf-8")


@route("news", r"/rss/search")
def news_search(req: Req, m: re.Match[str]) -> Resp:
    q = req.arg("q", "") or ""
    when = re.search(r"\bwhen:(\d+)([hdmy])\b", q)
    q_clean = re.sub(r"\bwhen:\S+", "", q).strip()
    arts = [a for a in _news_articles(req) if matches_query(q_clean, a.title, a.lead, " ".join(a.body))]
    if when:
        hours = int(when.group(1)) * {"h": 1, "d": 24, "m": 24 * 31, "y": 24 * 366}[when.group(2)]
        arts = [a for a in arts if a.created >= req.content.anchor - timedelta(hours=hours)]
    hl = req.arg("hl", "nb") or "nb"
    items = []
    for a in arts:
        link = f"{req.base}{article_path(a)}"
        desc = f'<a href="{link}" target="_blank">{x(a.title)}</a>&nbsp;&nbsp;<font color="#6f6f6f">{x(a.publisher_name)}</font>'
        items.append(
            f"<item><title>{x(a.title)} - {x(a.publisher_name)}</title><link>{link}</link>"
            f'<guid isPermaLink="false">{_h(a.key):x}</guid><pubDate>{rfc822(a.created)}</pubDate>'
            f'<description>{x(desc)}</description><source url="{req.base}/{a.publisher}/">{x(a.publisher_name)}</source></item>')
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><rss version="2.0" '
           'xmlns:media="http://search.yahoo.com/mrss/"><channel><generator>NFE/5.0</generator>'
           f'<title>"{x(q)}" - Google News</title><link>{req.base}/search?q={quote(q)}</link>'
           f"<language>{x(hl)}</language><webMaster>news-webmaster@google.com</webMaster>"
           f"<copyright>Copyright the publishers (demo).</copyright><lastBuildDate>{rfc822(req.content.anchor)}"
           f"</lastBuildDate><description>Google News</description>{''.join(items)}</channel></rss>")
    return hresp(xml, ctype="application/xml; charset=utf-8")


@route("news", r"/(?P<pub>[a-z]+)/(?P<y>\d{4})/(?P<mo>\d{2})/(?P<d>\d{2})/(?P<slug>[a-z0-9-]+)/?")
def news_article(req: Req, m: re.Match[str]) -> Resp:
    for a in req.content.articles:
        if a.publisher == m.group("pub") and a.slug == m.group("slug"):
            break
    else:
        return hresp("<html><body><h1>Fant ikke siden</h1></body></html>", 404)
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": a.title,
          "datePublished": iso_z(a.created, False), "dateModified": iso_z(a.created, False),
          "author": [{"@type": "Person", "name": a.author}],
          "publisher": {"@type": "Organization", "name": a.publisher_name}, "inLanguage": a.lang}
    paras = "".join(f"<p>{x(p)}</p>" for p in a.body)
    others = "".join(f'<li><a href="{req.base}{article_path(o)}">{x(o.title)}</a></li>'
                     for o in _news_articles(req, a.publisher)[:5] if o is not a)
    page = (f'<!DOCTYPE html><html lang="{a.lang}"><head><meta charset="utf-8"><title>{x(a.title)} – '
            f'{x(a.publisher_name)}</title><meta name="description" content="{x(a.lead)}">'
            f'<meta property="og:title" content="{x(a.title)}"><meta property="og:type" content="article">'
            f'<meta property="og:site_name" content="{x(a.publisher_name)}">'
            f'<meta property="article:published_time" content="{iso_z(a.created, False)}">'
            f'<meta name="author" content="{x(a.author)}"><link rel="canonical" href="{req.base}{req.path}">'
            f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script></head><body>'
            f'<header class="site-header"><a href="{req.base}/{a.publisher}/">{x(a.publisher_name)}</a>'
            f'<nav><a href="{req.base}/">Forsiden</a></nav></header><main>'
            f'<article class="article"><h1 class="article-title">{x(a.title)}</h1>'
            f'<p class="byline">Av <span class="author">{x(a.author)}</span>, '
            f'<time datetime="{iso_z(a.created, False)}">{a.created:%d.%m.%Y %H:%M}</time></p>'
            f'<p class="lead"><strong>{x(a.lead)}</strong></p><div class="article-body">{paras}</div></article>'
            f'<aside class="related"><h2>Mer fra {x(a.publisher_name)}</h2><ul>{others}</ul></aside></main>'
            f'<footer>© {x(a.publisher_name)} (fiktiv demoavis)</footer></body></html>')
    return hresp(page)


@route("news", r"/(?:(?P<pub>[a-z]+)/?)?")
def news_front(req: Req, m: re.Match[str]) -> Resp:
    arts = _news_articles(req, m.group("pub"))
    items = "".join(f'<li><a href="{req.base}{article_path(a)}">{x(a.title)}</a> <small>{x(a.publisher_name)}</small></li>'
                    for a in arts)
    return hresp(f'<!DOCTYPE html><html lang="nb"><head><meta charset="utf-8"><title>Nyheter</title>'
                 f'<link rel="alternate" type="application/rss+xml" href="{req.base}/rss"></head>'
                 f"<body><h1>Nyheter</h1><ul>{items}</ul></body></html>")


# ==================================================================================================
# generic web: a forum and an employer-review site in our own simple HTML (selectors in config/demo.yaml)


def page_html(title: str, posts: list[Post], lang: str) -> str:
    body = "".join(f'<div class="post"><b>{x(p.author)}</b> <time datetime="{iso_z(p.created, False)}"></time>'
                   f"{paragraphs_html(p.text)}</div>" for p in posts)
    return f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{x(title)}</title></head><body>{body}</body></html>'


def web_forum_threads(req: Req) -> list[Post]:
    return sorted([p for p in roots(req.content, "web") if p.rating is None], key=lambda p: p.created, reverse=True)


def web_reviews(req: Req) -> list[Post]:
    return sorted([p for p in roots(req.content, "web") if p.rating is not None], key=lambda p: p.created, reverse=True)


def web_page(title: str, lang: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{x(title)}</title></head>'
            f'<body><header><a href="/web/">Jobbprat</a></header><main>{body}</main></body></html>')


@route("web", r"/?")
def web_index(req: Req, m: re.Match[str]) -> Resp:
    return hresp(web_page("Jobbprat", "nb", '<ul><li><a href="/web/forum/">Forum</a></li>'
                          '<li><a href="/web/reviews/nordlys-logistikk">Arbeidsgiveranmeldelser</a></li></ul>'))


@route("web", r"/forum/?")
def web_forum(req: Req, m: re.Match[str]) -> Resp:
    rows = "".join(
        f'<li class="thread-link"><a href="/web/forum/thread/{p.id}">{x(sentences(p.text)[0])}</a> '
        f'<time datetime="{iso_z(p.created, False)}"></time></li>' for p in web_forum_threads(req))
    return hresp(web_page("Forum – Jobbprat", "nb", f'<h1>Forum</h1><ul class="threads">{rows}</ul>'))


@route("web", r"/forum/thread/(?P<id>\d+)/?")
def web_thread(req: Req, m: re.Match[str]) -> Resp:
    root = req.content.by_id("web").get(m.group("id"))
    if root is None or root.parent is not None or root.rating is not None:
        return hresp(web_page("Fant ikke tråden", "nb", "<h1>404</h1>"), 404)
    title = sentences(root.text)[0]
    posts = []
    for p in thread_posts(req.content, "web", root):
        parent = req.content.parent_of("web", p)
        posts.append(
            f'<div class="post{" official" if p.official else ""}" id="post-{p.id}" data-post-id="{p.id}" '
            f'data-parent-id="{parent.id if parent else ""}" lang="{p.lang}">'
            f'<div class="post-meta"><span class="post-author">{x(p.author)}</span> '
            f'<time class="post-date" datetime="{iso_z(p.created, False)}">{p.created:%d.%m.%Y %H:%M}</time></div>'
            f'<div class="post-body">{paragraphs_html(p.text)}</div></div>')
    body = (f'<div class="thread" data-thread-id="{root.id}"><h1 class="thread-title">{x(title)}</h1>'
            f'{"".join(posts)}</div>')
    return hresp(web_page(f"{title} – Jobbprat", root.lang, body))


WEB_PER_PAGE = 10


@route("web", r"/reviews/nordlys-logistikk/?")
def web_review_page(req: Req, m: re.Match[str]) -> Resp:
    reviews = web_reviews(req)
    pages = max(1, (len(reviews) + WEB_PER_PAGE - 1) // WEB_PER_PAGE)
    page = req.int_arg("page", 1, 1)
    if page > pages:
        return hresp(web_page("Ingen flere anmeldelser", "nb", "<h1>404</h1>"), 404)
    kids = req.content.children("web")
    cards = []
    for r in reviews[(page - 1) * WEB_PER_PAGE:page * WEB_PER_PAGE]:
        resp = ""
        for k in kids.get(r.id, []):
            resp += (f'<div class="employer-response" data-response-id="{k.id}" lang="{k.lang}">'
                     f'<span class="response-author">{x(k.author)}</span> '
                     f'<time class="response-date" datetime="{iso_z(k.created, False)}"></time>'
                     f'<div class="response-text">{paragraphs_html(k.text)}</div></div>')
        cards.append(
            f'<div class="review" id="review-{r.id}" data-review-id="{r.id}" lang="{r.lang}">'
            f'<h3 class="review-title">{x(r.title or "")}</h3>'
            f'<span class="review-rating" data-rating="{r.rating}">{"★" * (r.rating or 0)}{"☆" * (5 - (r.rating or 0))}</span> '
            f'<span class="review-author">{x(r.author)}</span> '
            f'<time class="review-date" datetime="{iso_z(r.created, False)}">{r.created:%d.%m.%Y}</time>'
            f'<div class="review-text">{paragraphs_html(r.text)}</div>{resp}</div>')
    nav = ""
    if page < pages:
        nav = f'<a class="next" rel="next" href="/web/reviews/nordlys-logistikk?page={page + 1}">Neste side</a>'
    body = f'<h1>Nordlys Logistikk AS – anmeldelser fra ansatte</h1><div class="reviews">{"".join(cards)}</div><nav class="pager">{nav}</nav>'
    return hresp(web_page("Nordlys Logistikk AS – anmeldelser", "nb", body))


# ==================================================================================================
# LinkedIn Community Management API (/rest/posts, /rest/socialActions/{urn}/comments)

LI_ORG = f"urn:li:organization:{LINKEDIN_ORG_ID}"


def li_auth(req: Req) -> Resp | None:
    auth = req.headers.get("Authorization") or ""
    if not auth.startswith("Bearer ") or not auth[7:].strip():
        return jresp({"status": 401, "serviceErrorCode": 65604, "code": "EMPTY_ACCESS_TOKEN",
                      "message": "Empty oauth2 access token"}, 401)
    if auth[7:].strip() != req.tokens.get("linkedin"):
        return jresp({"status": 401, "serviceErrorCode": 65600, "code": "INVALID_ACCESS_TOKEN",
                      "message": "Invalid access token"}, 401)
    if not req.headers.get("LinkedIn-Version"):
        return jresp({"status": 400, "code": "VERSION_MISSING",
                      "message": "A version must be present. Please specify a version by adding the "
                                 "LinkedIn-Version header."}, 400)
    return None


def li_person(name: str) -> str:
    if name.startswith("urn:li:organization:"):
        return name
    return "urn:li:person:" + base64.urlsafe_b64encode(_h("person", name).to_bytes(32, "big")[:8]).decode().rstrip("=")


def li_activity(p: Post) -> str:
    return f"urn:li:activity:{int(p.id) + 1}"


def li_comment_urn(root: Post, c: Post) -> str:
    return f"urn:li:comment:({li_activity(root)},{c.id})"


def li_root(req: Req, p: Post) -> Post:
    while p.parent:
        q = req.content.parent_of("linkedin", p)
        assert q is not None
        p = q
    return p


def li_post(p: Post) -> dict[str, Any]:
    ms = ts(p.created) * 1000
    return {"id": f"urn:li:share:{p.id}", "author": LI_ORG, "commentary": p.text, "visibility": "PUBLIC",
            "lifecycleState": "PUBLISHED", "createdAt": ms, "publishedAt": ms, "lastModifiedAt": ms,
            "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
            "isReshareDisabledByAuthor": False, "lifecycleStateInfo": {"isEditedByAuthor": False}}


def li_comment(req: Req, c: Post) -> dict[str, Any]:
    root = li_root(req, c)
    parent = req.content.parent_of("linkedin", c)
    actor = LI_ORG if c.official else li_person(c.author)
    ms = ts(c.created) * 1000
    kids = req.content.children("linkedin").get(c.id, [])
    urn = li_comment_urn(root, c)
    out: dict[str, Any] = {
        "actor": actor, "commentUrn": urn, "id": c.id, "$URN": urn, "object": li_activity(root),
        "created": {"actor": actor, "time": ms}, "lastModified": {"actor": actor, "time": ms},
        "message": {"text": c.text, "attributes": []},
        "likesSummary": {"selectedLikes": [], "aggregatedTotalLikes": _h(c.id) % 6, "likedByCurrentUser": False,
                         "totalLikes": _h(c.id) % 6},
        "commentsSummary": {"selectedComments": [li_comment_urn(root, k) for k in kids],
                            "aggregatedTotalComments": len(kids), "totalFirstLevelComments": len(kids)},
    }
    if c.official:
        out["agent"] = li_person("Ingrid Solberg")
    if parent is not None and parent.parent is not None:
        out["parentComment"] = li_comment_urn(root, parent)
    return out


def li_paged(req: Req, elements: list[Any], path: str) -> Resp:
    start = req.int_arg("start", 0, 0)
    count = req.int_arg("count", 10, 1, 100)
    chunk = elements[start:start + count]
    links = []
    keep = {k: v[-1] for k, v in req.query.items() if k not in ("start", "count")}
    if start + count < len(elements):
        links.append({"type": "application/json", "rel": "next",
                      "href": f"/rest{path}?{urlencode({**keep, 'start': start + count, 'count': count})}"})
    if start > 0:
        links.append({"type": "application/json", "rel": "prev",
                      "href": f"/rest{path}?{urlencode({**keep, 'start': max(0, start - count), 'count': count})}"})
    return jresp({"paging": {"start": start, "count": count, "links": links, "total": len(elements)},
                  "elements": chunk}, headers={"X-RestLi-Protocol-Version": "2.0.0"})


@route("linkedin", r"/rest/posts")
def li_posts(req: Req, m: re.Match[str]) -> Resp:
    err = li_auth(req)
    if err:
        return err
    if req.arg("q") != "author":
        return jresp({"status": 400, "code": "ILLEGAL_ARGUMENT", "message": "Invalid query parameters passed to request"}, 400)
    if unquote(req.arg("author") or "") != LI_ORG:
        return jresp({"status": 403, "serviceErrorCode": 100, "code": "ACCESS_DENIED",
                      "message": "Not enough permissions to access: partnerApiPostsExternal.FINDER-author"}, 403)
    ps = [p for p in roots(req.content, "linkedin")]
    ps.sort(key=lambda p: p.created, reverse=True)
    return li_paged(req, [li_post(p) for p in ps], "/posts")


@route("linkedin", r"/rest/socialActions/(?P<urn>[^/]+)/comments")
def li_comments(req: Req, m: re.Match[str]) -> Resp:
    err = li_auth(req)
    if err:
        return err
    urn = unquote(m.group("urn"))
    target: Post | None = None
    by_id = req.content.by_id("linkedin")
    mm = re.fullmatch(r"urn:li:(share|ugcPost|activity):(\d+)", urn)
    if mm:
        pid = str(int(mm.group(2)) - (1 if mm.group(1) == "activity" else 0))
        target = by_id.get(pid)
        if target is not None and target.parent is not None:
            target = None
    mc = re.fullmatch(r"urn:li:comment:\(urn:li:(?:activity|share|ugcPost):(\d+),(\d+)\)", urn)
    if mc:
        target = by_id.get(mc.group(2))
    if target is None:
        return jresp({"status": 404, "code": "NOT_FOUND", "message": f"Not Found: {urn}"}, 404)
    kids = sorted(req.content.children("linkedin").get(target.id, []), key=lambda c: c.created)
    return li_paged(req, [li_comment(req, c) for c in kids], f"/socialActions/{quote(urn, safe='')}/comments")


# ==================================================================================================
# Facebook / Instagram Graph API (v21.0): nodes, edges, fields, cursor paging, OAuth errors


def graph_error(message: str, typ: str, code: int, status: int = 400, subcode: int | None = None) -> Resp:
    err: dict[str, Any] = {"message": message, "type": typ, "code": code,
                           "fbtrace_id": base64.b64encode(_h(message).to_bytes(32, "big")[:9]).decode()}
    if subcode:
        err["error_subcode"] = subcode
    return jresp({"error": err}, status, headers={"WWW-Authenticate": 'OAuth "Facebook Platform" "invalid_token"'}
                 if code in (104, 190) else None)


def graph_auth(req: Req, platform: str) -> Resp | None:
    token = req.arg("access_token")
    auth = req.headers.get("Authorization") or ""
    if not token and auth.startswith("Bearer "):
        token = auth[7:].strip()
    if not token:
        return graph_error("An access token is required to request this resource.", "OAuthException", 104)
    if token != req.tokens.get(platform):
        return graph_error("Invalid OAuth access token - Cannot parse access token", "OAuthException", 190)
    return None


def parse_fields(spec: str | None) -> dict[str, tuple[str | None, int | None]]:
    """``a,b{c,d},e.limit(5){f}`` → {name: (sub-spec or None, limit or None)}."""
    out: dict[str, tuple[str | None, int | None]] = {}
    if not spec:
        return out
    depth, cur, parts = 0, "", []
    for ch in spec:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        cur += ch
    parts.append(cur)
    for part in parts:
        m = re.fullmatch(r"\s*(\w+)((?:\.\w+\([^)]*\))*)(?:\{(.*)\})?\s*", part)
        if not m:
            continue
        lim = re.search(r"\.limit\((\d+)\)", m.group(2) or "")
        out[m.group(1)] = (m.group(3), int(lim.group(1)) if lim else None)
    return out


def graph_time(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def fb_ids(req: Req, p: Post) -> str:
    if p.parent is None:
        return f"{FACEBOOK_PAGE_ID}_{p.id}"
    root = p
    while root.parent:
        q = req.content.parent_of("facebook", root)
        assert q is not None
        root = q
    return f"{root.id}_{p.id}"


def graph_node(req: Req, platform: str, node_id: str) -> Post | None:
    raw = node_id.rpartition("_")[2]
    p = req.content.by_id(platform).get(raw)
    if p is None:
        return None
    if platform == "facebook" and fb_ids(req, p) != node_id:
        return None
    return p


def fb_from(p: Post) -> dict[str, str]:
    if p.official:
        return {"name": "Nordlys Logistikk", "id": FACEBOOK_PAGE_ID}
    return {"name": p.author, "id": str(10**15 + _h("fbuser", p.author) % 10**15)}


def fb_render(req: Req, p: Post, fields: dict[str, tuple[str | None, int | None]]) -> dict[str, Any]:
    is_post = p.parent is None
    kids = req.content.children("facebook").get(p.id, [])
    all_fields: dict[str, Any] = {"id": fb_ids(req, p), "message": p.text, "created_time": graph_time(p.created)}
    if is_post:
        all_fields.update({"updated_time": graph_time(p.created), "from": fb_from(p), "status_type": "mobile_status_update",
                           "permalink_url": f"{req.base}/{FACEBOOK_PAGE_ID}/posts/{p.id}", "is_published": True,
                           "shares": {"count": _h(p.id) % 9}})
    else:
        parent = req.content.parent_of("facebook", p)
        all_fields.update({"from": fb_from(p), "like_count": _h(p.id) % 7, "comment_count": len(kids),
                           "user_likes": False, "can_comment": True, "is_hidden": False,
                           "permalink_url": f"{req.base}/{FACEBOOK_PAGE_ID}/posts/{fb_ids(req, p)}"})
        if parent is not None and parent.parent is not None:
            all_fields["parent"] = {"created_time": graph_time(parent.created), "from": fb_from(parent),
                                    "message": parent.text, "id": fb_ids(req, parent)}
    if not fields:
        keys = ["created_time", "message", "id"] if is_post else ["created_time", "from", "message", "id"]
        return {k: all_fields[k] for k in keys}
    out: dict[str, Any] = {}
    for name, (sub, limit) in fields.items():
        if name == "comments":
            out["comments"] = graph_edge_inline(req, "facebook", kids, sub, limit)
        elif name in all_fields:
            out[name] = all_fields[name]
    out["id"] = all_fields["id"]
    return out


def ig_comment(req: Req, p: Post, fields: dict[str, tuple[str | None, int | None]]) -> dict[str, Any]:
    kids = req.content.children("instagram").get(p.id, [])
    parent = req.content.parent_of("instagram", p)
    root = p
    while root.parent:
        q = req.content.parent_of("instagram", root)
        assert q is not None
        root = q
    username = OFFICIAL["instagram"] if p.official else p.author
    uid = INSTAGRAM_USER_ID if p.official else str(17_841_000_000_000_000 + _h("ig", p.author) % 10**12)
    all_fields: dict[str, Any] = {"id": p.id, "text": p.text, "timestamp": graph_time(p.created),
                                  "username": username, "from": {"id": uid, "username": username},
                                  "like_count": _h(p.id) % 9, "hidden": False, "media": {"id": root.id}}
    if parent is not None and parent.parent is not None:
        all_fields["parent_id"] = parent.id
    if not fields:
        return {k: all_fields[k] for k in ("timestamp", "text", "id")}
    out: dict[str, Any] = {}
    for name, (sub, limit) in fields.items():
        if name == "replies":
            out["replies"] = graph_edge_inline(req, "instagram", kids, sub, limit)
        elif name in all_fields:
            out[name] = all_fields[name]
    out["id"] = p.id
    return out


def ig_media(req: Req, p: Post, fields: dict[str, tuple[str | None, int | None]]) -> dict[str, Any]:
    kids = req.content.children("instagram").get(p.id, [])
    all_fields: dict[str, Any] = {
        "id": p.id, "caption": p.text, "timestamp": graph_time(p.created), "media_type": "IMAGE",
        "media_product_type": "FEED", "permalink": f"{req.base}/p/{p.id}/", "username": OFFICIAL["instagram"],
        "comments_count": len(thread_posts(req.content, "instagram", p)) - 1, "like_count": 20 + _h(p.id) % 200,
        "media_url": f"{req.base}/media/{p.id}.jpg", "owner": {"id": INSTAGRAM_USER_ID}, "is_comment_enabled": True,
    }
    if not fields:
        return {"id": p.id}
    out: dict[str, Any] = {}
    for name, (sub, limit) in fields.items():
        if name == "comments":
            out["comments"] = graph_edge_inline(req, "instagram", kids, sub, limit)
        elif name in all_fields:
            out[name] = all_fields[name]
    out["id"] = p.id
    return out


def graph_render(req: Req, platform: str, p: Post, sub: str | None) -> dict[str, Any]:
    fields = parse_fields(sub)
    if platform == "facebook":
        return fb_render(req, p, fields)
    if p.parent is None:
        return ig_media(req, p, fields)
    return ig_comment(req, p, fields)


def graph_edge_inline(req: Req, platform: str, items: list[Post], sub: str | None, limit: int | None) -> dict[str, Any]:
    items = sorted(items, key=lambda c: c.created)
    n = limit or 25
    data = [graph_render(req, platform, c, sub) for c in items[:n]]
    out: dict[str, Any] = {"data": data}
    if items:
        out["paging"] = {"cursors": {"before": cursor_of(0), "after": cursor_of(min(n, len(items)) - 1)}}
    return out


def cursor_of(i: int) -> str:
    return base64.b64encode(f"demo:{i}".encode()).decode().rstrip("=")


def cursor_index(c: str | None) -> int | None:
    if not c:
        return None
    try:
        raw = base64.b64decode(c + "=" * (-len(c) % 4)).decode()
        return int(raw.partition(":")[2])
    except (ValueError, UnicodeDecodeError):
        return None


def graph_list(req: Req, platform: str, items: list[Post], path: str) -> Resp:
    limit = req.int_arg("limit", 25, 1, 100)
    start = 0
    after = cursor_index(req.arg("after"))
    before = cursor_index(req.arg("before"))
    if after is not None:
        start = after + 1
    elif before is not None:
        start = max(0, before - limit)
    chunk = items[start:start + limit]
    data = [graph_render(req, platform, p, req.arg("fields")) for p in chunk]
    out: dict[str, Any] = {"data": data}
    if chunk:
        keep = {k: v[-1] for k, v in req.query.items() if k not in ("after", "before")}
        paging: dict[str, Any] = {"cursors": {"before": cursor_of(start), "after": cursor_of(start + len(chunk) - 1)}}
        if start + limit < len(items):
            paging["next"] = f"{req.base}{path}?{urlencode({**keep, 'after': cursor_of(start + len(chunk) - 1)})}"
        if start > 0:
            paging["previous"] = f"{req.base}{path}?{urlencode({**keep, 'before': cursor_of(start)})}"
        out["paging"] = paging
    return jresp(out)


def graph_window(req: Req, items: list[Post]) -> list[Post]:
    def bound(name: str) -> datetime | None:
        v = req.arg(name)
        if not v:
            return None
        if v.isdigit():
            return datetime.fromtimestamp(int(v), UTC)
        return _parse_time(v.replace("+0000", "+00:00"))

    since, until = bound("since"), bound("until")
    return [p for p in items if (since is None or p.created >= since) and (until is None or p.created <= until)]


def unsupported(node_id: str) -> Resp:
    return graph_error(f"Unsupported get request. Object with ID '{node_id}' does not exist, cannot be loaded due "
                       "to missing permissions, or does not support this operation. Please read the Graph API "
                       "documentation at https://developers.facebook.com/docs/graph-api",
                       "GraphMethodException", 100, subcode=33)


def graph_dispatch(platform: str, req: Req, m: re.Match[str]) -> Resp:
    err = graph_auth(req, platform)
    if err:
        return err
    node_id, edge = m.group("node"), m.group("edge")
    owner = FACEBOOK_PAGE_ID if platform == "facebook" else INSTAGRAM_USER_ID
    path = req.path
    if node_id == owner:
        if edge is None:
            if platform == "facebook":
                return jresp({"name": "Nordlys Logistikk", "id": owner})
            return jresp({"id": owner, "username": OFFICIAL["instagram"], "name": "Nordlys Logistikk"})
        if (platform == "facebook" and edge in ("posts", "feed", "published_posts")) or \
                (platform == "instagram" and edge == "media"):
            items = sorted(roots(req.content, platform), key=lambda p: p.created, reverse=True)
            return graph_list(req, platform, graph_window(req, items), path)
        return graph_error(f"(#100) Tried accessing nonexisting field ({edge}) on node type "
                           f"({'Page' if platform == 'facebook' else 'IGUser'})", "OAuthException", 100)
    p = graph_node(req, platform, node_id)
    if p is None:
        return unsupported(node_id)
    if edge is None:
        return jresp(graph_render(req, platform, p, req.arg("fields")))
    kids = sorted(req.content.children(platform).get(p.id, []), key=lambda c: c.created)
    if platform == "facebook" and edge == "comments":
        if req.arg("filter") == "stream":
            kids = sorted(thread_posts(req.content, "facebook", p)[1:], key=lambda c: c.created)
        if req.arg("order") == "reverse_chronological":
            kids.reverse()
        return graph_list(req, platform, kids, path)
    if platform == "instagram" and ((edge == "comments" and p.parent is None) or (edge == "replies" and p.parent)):
        return graph_list(req, platform, kids, path)
    return graph_error(f"(#100) Tried accessing nonexisting field ({edge})", "OAuthException", 100)


GRAPH_PATH = r"/v\d+\.\d+/(?P<node>[0-9_]+)(?:/(?P<edge>\w+))?/?"


@route("facebook", GRAPH_PATH)
def fb_graph(req: Req, m: re.Match[str]) -> Resp:
    return graph_dispatch("facebook", req, m)


@route("instagram", GRAPH_PATH)
def ig_graph(req: Req, m: re.Match[str]) -> Resp:
    return graph_dispatch("instagram", req, m)
