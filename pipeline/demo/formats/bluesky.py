"""Bluesky: the AppView and PDS XRPC methods the spider uses, with the real session handshake.

``createSession`` hands out an access token for the demo app password and ``searchPosts`` demands it,
as the real AppView does; feeds, threads, posts and profiles use AT-URIs, DIDs and CIDs derived
stably from the content so repeated crawls see the same identifiers.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from pipeline.demo.formats.common import iso_z, matches_query, parse_time, stable_hash
from pipeline.demo.formats.routing import Req, Resp, jresp, route
from pipeline.demo.posts import OFFICIAL, Post


def bsky_did(handle: str) -> str:
    return "did:plc:" + f"{stable_hash('did', handle):x}"[:24]


def bsky_uri(p: Post) -> str:
    return f"at://{bsky_did(p.author)}/app.bsky.feed.post/{p.id}"


def bsky_cid(p: Post) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    n = stable_hash("cid", p.key)
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
            "replyCount": len(kids), "repostCount": stable_hash(p.id, "r") % 4, "likeCount": stable_hash(p.id, "l") % 30,
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


BSKY_SESSION_HANDLE = "rykte-demo.bsky.social"


# the accounts with the demo app password: the crawler's, and the company's (which posts replies)
SESSION_HANDLES = (BSKY_SESSION_HANDLE, OFFICIAL["bluesky"])


def bsky_access_jwt(req: Req, handle: str = BSKY_SESSION_HANDLE) -> str:
    """The (opaque, for the demo) access token createSession hands out for the demo app password."""
    return "eyJhbGciOiJFUzI1NksifQ." + base64.urlsafe_b64encode(
        f"{handle}:{req.tokens.get('bluesky', '')}".encode()).decode().rstrip("=") + ".demo"


def bsky_session_handle(req: Req) -> str | None:
    """The account whose access token the request carries, or None."""
    auth = req.headers.get("Authorization") or ""
    token = auth[7:].strip() if auth.startswith("Bearer ") else ""
    return next((h for h in SESSION_HANDLES if token and token == bsky_access_jwt(req, h)), None)


@route("bluesky", r"/xrpc/com\.atproto\.server\.createSession", method="POST")
def bsky_create_session(req: Req, m: re.Match[str]) -> Resp:
    try:
        body = json.loads(req.body or b"{}")
    except ValueError:
        return bsky_error("InvalidRequest", "Request body is not JSON")
    if not isinstance(body, dict) or not body.get("identifier") or not body.get("password"):
        return bsky_error("InvalidRequest", 'Input must have the property "identifier"')
    handle = next((h for h in SESSION_HANDLES if body["identifier"] in (h, bsky_did(h))), None)
    if handle is None or body["password"] != req.tokens.get("bluesky"):
        return bsky_error("AuthenticationRequired", "Invalid identifier or password", 401)
    jwt = bsky_access_jwt(req, handle)
    return jresp({"did": bsky_did(handle), "handle": handle, "email": None,
                  "emailConfirmed": False, "accessJwt": jwt, "refreshJwt": jwt.replace(".demo", ".refresh"),
                  "active": True})


@route("bluesky", r"/xrpc/app\.bsky\.feed\.searchPosts")
def bsky_search(req: Req, m: re.Match[str]) -> Resp:
    auth = req.headers.get("Authorization") or ""
    if not auth.startswith("Bearer "):
        return bsky_error("AuthMissing", "Authentication Required", 401)
    if bsky_session_handle(req) is None:
        return bsky_error("InvalidToken", "Token could not be verified", 400)
    q = req.arg("q")
    if not q:
        return bsky_error("InvalidRequest", 'Error: Params must have the property "q"')
    limit = req.int_arg("limit", 25, 1, 100)
    offset = req.int_arg("cursor", 0, 0)
    since, until = parse_time(req.arg("since")), parse_time(req.arg("until"))
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
    cursor = parse_time(req.arg("cursor"))
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
            return jresp({**bsky_author(h), "postsCount": n, "followersCount": 10 + stable_hash(h) % 400,
                          "followsCount": 5 + stable_hash(h, 1) % 200, "description": ""})
    return bsky_error("InvalidRequest", "Profile not found")


@route("bluesky", r"/xrpc/com\.atproto\.identity\.resolveHandle")
def bsky_resolve(req: Req, m: re.Match[str]) -> Resp:
    handle = req.arg("handle") or ""
    if handle in {p.author for p in req.content.posts["bluesky"]}:
        return jresp({"did": bsky_did(handle)})
    return bsky_error("InvalidRequest", "Unable to resolve handle")


# Posting (the reply desk, pipeline/replydesk/publish.py): com.atproto.repo.createRecord of an
# app.bsky.feed.post with reply refs, in the repo of the session's account, as on a real PDS; the post is
# served from then on (getPostThread, getAuthorFeed, searchPosts), so the next crawl finds it.
_POST_LOCK = threading.Lock()


def _ref(req: Req, ref: Any) -> Post | None:
    if not isinstance(ref, dict) or not isinstance(ref.get("uri"), str):
        return None
    p = bsky_by_uri(req, ref["uri"])
    return p if p is not None and ref.get("cid") == bsky_cid(p) else None


@route("bluesky", r"/xrpc/com\.atproto\.repo\.createRecord", method="POST")
def bsky_create_record(req: Req, m: re.Match[str]) -> Resp:
    handle = bsky_session_handle(req)
    if handle is None:
        return bsky_error("AuthMissing", "Authentication Required", 401)
    try:
        body = json.loads(req.body or b"{}")
    except ValueError:
        return bsky_error("InvalidRequest", "Request body is not JSON")
    if not isinstance(body, dict) or body.get("repo") not in (handle, bsky_did(handle)):
        return bsky_error("InvalidRequest", "Input/repo must be the session's account")
    record = body.get("record")
    if body.get("collection") != "app.bsky.feed.post" or not isinstance(record, dict) or \
            record.get("$type", "app.bsky.feed.post") != "app.bsky.feed.post":
        return bsky_error("InvalidRequest", "Only app.bsky.feed.post records are accepted here")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip() or not isinstance(record.get("createdAt"), str):
        return bsky_error("InvalidRequest", 'Invalid app.bsky.feed.post record: Record must have the property "text"')
    parent = None
    if record.get("reply") is not None:
        reply = record["reply"]
        parent, root = _ref(req, (reply or {}).get("parent")), _ref(req, (reply or {}).get("root"))
        if parent is None or root is None or root.key != (parent.thread or parent.key):
            return bsky_error("InvalidRequest", "Invalid reply reference: parent or root not found")
    langs = record.get("langs") or []
    with _POST_LOCK:
        n = len(req.content.posts["bluesky"])
        key = f"posted-{n}"
        post = Post(key=key, platform="bluesky", thread=parent.thread if parent else key,
                    parent=parent.key if parent else None, author=handle, official=handle == OFFICIAL["bluesky"],
                    hours_ago=0.0, text=text, lang=str(langs[0]) if langs else "nb", kind="reply_desk",
                    mentions_company=True, id="3m" + f"{n:011d}", created=datetime.now(UTC).replace(microsecond=0))
        req.content.add(post)
    return jresp({"uri": bsky_uri(post), "cid": bsky_cid(post),
                  "commit": {"cid": bsky_cid(post), "rev": post.id}, "validationStatus": "valid"})
