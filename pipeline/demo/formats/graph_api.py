"""Facebook and Instagram: the Graph API (v21.0) nodes, edges, ``fields`` and cursor paging.

The two platforms share one API: the same token check and OAuthException errors, the same
``fields`` mini-language (``a,b{c},comments.limit(n){...}``), inline edges and ``after``/``before``
cursors. They differ only in node shapes, which render through each other recursively (a post's
comments, a comment's replies), so they live in one module.
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from pipeline.demo.formats.common import parse_time, roots, stable_hash, thread_posts
from pipeline.demo.formats.routing import Req, Resp, jresp, route
from pipeline.demo.posts import FACEBOOK_PAGE_ID, INSTAGRAM_USER_ID, OFFICIAL, Post


def graph_error(message: str, typ: str, code: int, status: int = 400, subcode: int | None = None) -> Resp:
    err: dict[str, Any] = {"message": message, "type": typ, "code": code,
                           "fbtrace_id": base64.b64encode(stable_hash(message).to_bytes(32, "big")[:9]).decode()}
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
    return {"name": p.author, "id": str(10**15 + stable_hash("fbuser", p.author) % 10**15)}


def fb_render(req: Req, p: Post, fields: dict[str, tuple[str | None, int | None]]) -> dict[str, Any]:
    is_post = p.parent is None
    kids = req.content.children("facebook").get(p.id, [])
    all_fields: dict[str, Any] = {"id": fb_ids(req, p), "message": p.text, "created_time": graph_time(p.created)}
    if is_post:
        all_fields.update({"updated_time": graph_time(p.created), "from": fb_from(p), "status_type": "mobile_status_update",
                           "permalink_url": f"{req.base}/{FACEBOOK_PAGE_ID}/posts/{p.id}", "is_published": True,
                           "shares": {"count": stable_hash(p.id) % 9}})
    else:
        parent = req.content.parent_of("facebook", p)
        all_fields.update({"from": fb_from(p), "like_count": stable_hash(p.id) % 7, "comment_count": len(kids),
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
    uid = INSTAGRAM_USER_ID if p.official else str(17_841_000_000_000_000 + stable_hash("ig", p.author) % 10**12)
    all_fields: dict[str, Any] = {"id": p.id, "text": p.text, "timestamp": graph_time(p.created),
                                  "username": username, "from": {"id": uid, "username": username},
                                  "like_count": stable_hash(p.id) % 9, "hidden": False, "media": {"id": root.id}}
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
        "comments_count": len(thread_posts(req.content, "instagram", p)) - 1, "like_count": 20 + stable_hash(p.id) % 200,
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
        return parse_time(v.replace("+0000", "+00:00"))

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
