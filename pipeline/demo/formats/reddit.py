"""Reddit: www.reddit.com's JSON API (``Listing`` / ``t3`` / ``t1`` / ``more``) over the demo content.

Search, subreddit listings, user pages, comment trees with ``limit``/``depth`` and ``more`` stubs,
``/api/morechildren`` and ``/api/info``, paged by ``after``/``before`` fullnames exactly as the real
site does, so the Reddit spider runs against it unchanged.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from pipeline.demo.formats.common import (
    matches_query,
    page_html,
    paragraphs_html,
    roots,
    sentences,
    stable_hash,
    thread_posts,
    ts,
)
from pipeline.demo.formats.routing import Req, Resp, hresp, jresp, route
from pipeline.demo.posts import Content, Post

SUBS = {"nb": ["norge", "oslo"], "nn": ["norge", "bergen"], "sv": ["sweden"], "da": ["Denmark"], "en": ["norway", "jobs"]}


def reddit_sub(root: Post) -> str:
    options = SUBS[root.lang]
    return options[stable_hash(root.key) % len(options)]


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
    score = 1 + stable_hash(p.id, "s") % 80
    return {"kind": "t3", "data": {
        "approved_at_utc": None, "subreddit": sub, "selftext": rest, "author_fullname": f"t2_{stable_hash(p.author) % 10**8:x}",
        "saved": False, "gilded": 0, "clicked": False, "title": title, "subreddit_name_prefixed": f"r/{sub}",
        "hidden": False, "downs": 0, "name": f"t3_{p.id}", "upvote_ratio": 0.9, "ups": score, "score": score,
        "link_flair_text": None, "is_self": True, "domain": f"self.{sub}", "selftext_html":
        f'<!-- SC_OFF --><div class="md">{paragraphs_html(rest)}</div><!-- SC_ON -->' if rest else None,
        "likes": None, "edited": False, "distinguished": None, "stickied": False, "over_18": False,
        "spoiler": False, "locked": False, "subreddit_id": f"t5_{stable_hash(sub) % 10**6:x}", "id": p.id,
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
    score = 1 + stable_hash(p.id, "s") % 40
    return {"kind": "t1", "data": {
        "subreddit_id": f"t5_{stable_hash(sub) % 10**6:x}", "approved_at_utc": None, "author_is_blocked": False,
        "edited": False, "gilded": 0, "author": p.author, "author_fullname": f"t2_{stable_hash(p.author) % 10**8:x}",
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
        posts.sort(key=lambda p: stable_hash(p.id, "s") % 80, reverse=True)
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
