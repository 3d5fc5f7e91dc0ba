"""Mastodon: an instance's REST API (statuses, context, accounts, timelines, ``/api/v2/search``).

Statuses and accounts in the real JSON shape, newest-first lists paged by ``max_id``/``since_id``/
``min_id`` with the real ``Link`` header, and the company hashtag, so the Mastodon spider can follow
tags, threads and accounts as it would on a real instance.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode

from pipeline.demo.formats.common import iso_z, matches_query, paragraphs_html, stable_hash, thread_posts
from pipeline.demo.formats.routing import Req, Resp, jresp, route
from pipeline.demo.posts import MASTODON_INSTANCE, OFFICIAL, Post


def masto_account(req: Req, acct: str) -> dict[str, Any]:
    username, _, domain = acct.partition("@")
    local = not domain or domain == MASTODON_INSTANCE
    official = acct == OFFICIAL["mastodon"]
    url = f"{req.base}/@{username}" if local else f"https://{domain}/@{username}"
    n = sum(1 for p in req.content.posts["mastodon"] if p.author == acct)
    return {
        "id": str(100000 + stable_hash("acct", acct) % 900000), "username": username, "acct": username if local else acct,
        "display_name": "Nordlys Logistikk" if official else username.rstrip("0123456789").capitalize(),
        "locked": False, "bot": False, "discoverable": True, "indexable": True, "group": False,
        "created_at": f"2022-11-0{1 + stable_hash(acct) % 9}T12:00:00.000Z",
        "note": "<p>Offisiell konto for Nordlys Logistikk AS. Spørsmål om jobb: hr@nordlyslogistikk.no</p>" if official else "<p></p>",
        "url": url,
        # the canonical ActivityPub id names the instance, not the port the demo happens to listen on
        "uri": f"https://{MASTODON_INSTANCE}/users/{username}" if local else url.replace("/@", "/users/"), "avatar": f"{req.base}/avatars/missing.png",
        "avatar_static": f"{req.base}/avatars/missing.png", "header": f"{req.base}/headers/missing.png",
        "header_static": f"{req.base}/headers/missing.png", "followers_count": 10 + stable_hash(acct, "f") % 500,
        "following_count": 5 + stable_hash(acct, "g") % 300, "statuses_count": n, "last_status_at": None,
        "emojis": [], "fields": [],
    }


TAG = "nordlyslogistikk"


def masto_tags(p: Post) -> list[str]:
    if p.parent is None and p.mentions_company and stable_hash(p.key, "tag") % 10 < 7:
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
        "reblogs_count": stable_hash(p.id, "r") % 5, "favourites_count": stable_hash(p.id, "f") % 20, "quotes_count": 0,
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


# Posting (the reply desk, pipeline/replydesk/publish.py): POST /api/v1/statuses with a bearer token of
# the company's account, as on a real instance; the status is served from then on (its thread's
# context, the account's statuses), so the next crawl finds it.
MASTODON_POST_TOKEN = "demo-mastodon-token"
_POST_LOCK = threading.Lock()
_IDEMPOTENT: dict[tuple[int, str], str] = {}  # (id of the world's content, Idempotency-Key) -> status id  # the company account's token unless the world is given one


def _form(req: Req) -> dict[str, Any]:
    ctype = (req.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if ctype == "application/json":
        try:
            body = json.loads(req.body or b"{}")
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}
    return {k: v[-1] for k, v in parse_qs((req.body or b"").decode("utf-8", "replace")).items()}


@route("mastodon", r"/api/v1/statuses", method="POST")
def masto_post_status(req: Req, m: re.Match[str]) -> Resp:
    auth = req.headers.get("Authorization") or ""
    if auth[7:].strip() != req.tokens.get("mastodon", MASTODON_POST_TOKEN) or not auth.startswith("Bearer "):
        return jresp({"error": "The access token is invalid"}, 401)
    form = _form(req)
    text = str(form.get("status") or "").strip()
    if not text:
        return jresp({"error": "Validation failed: Text can't be blank"}, 422)
    parent = None
    if form.get("in_reply_to_id"):
        parent = req.content.by_id("mastodon").get(str(form["in_reply_to_id"]))
        if parent is None:
            return masto_not_found()
    idem = req.headers.get("Idempotency-Key")
    with _POST_LOCK:
        earlier = req.content.by_id("mastodon").get(_IDEMPOTENT.get((id(req.content), idem or ""), ""))
        if idem and earlier is not None:  # a retried request: the same status again, not a second one
            return jresp(masto_status(req, earlier))
        newest = max((int(p.id) for p in req.content.posts["mastodon"]), default=113_400_000_000_000_000)
        post = Post(key=f"posted-{newest + 1000}", platform="mastodon", thread=parent.thread if parent else "",
                    parent=parent.key if parent else None, author=OFFICIAL["mastodon"], official=True,
                    hours_ago=0.0, text=text, lang=str(form.get("language") or (parent.lang if parent else "nb")),
                    kind="reply_desk", mentions_company=True, id=str(newest + 1000),
                    created=datetime.now(UTC).replace(microsecond=0))
        if not post.thread:
            post.thread = post.key
        req.content.add(post)
        if idem:
            _IDEMPOTENT[(id(req.content), idem)] = post.id
    return jresp(masto_status(req, post))
