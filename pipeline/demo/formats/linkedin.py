"""LinkedIn: the Community Management API (``/rest/posts``, ``/rest/socialActions/{urn}/comments``).

Requires the bearer token and ``LinkedIn-Version`` header and answers with LinkedIn's real error
JSON when they are missing or wrong; posts and comments use the real URN forms and ``start``/``count``
paging, so the LinkedIn spider's auth and paging paths are exercised.
"""

from __future__ import annotations

import base64
import re
from typing import Any
from urllib.parse import quote, unquote, urlencode

from pipeline.demo.formats.common import roots, stable_hash, ts
from pipeline.demo.formats.routing import Req, Resp, jresp, route
from pipeline.demo.posts import LINKEDIN_ORG_ID, Post

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
    return "urn:li:person:" + base64.urlsafe_b64encode(stable_hash("person", name).to_bytes(32, "big")[:8]).decode().rstrip("=")


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
        "likesSummary": {"selectedLikes": [], "aggregatedTotalLikes": stable_hash(c.id) % 6, "likedByCurrentUser": False,
                         "totalLikes": stable_hash(c.id) % 6},
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
