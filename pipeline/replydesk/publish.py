"""Posting an approved reply as the company's account, and linking replies posted by hand.

Why in the writer: a post must happen once, after approval, and its id must be stored in the same
place the crawls write, so the reply is linked to the criticism at once (the batch's
`link_responses` sees an official reply under it) and a later crawl of the same post updates that
row instead of adding one (`(source, external_id)`: Mastodon's status URI, Bluesky's AT-URI, as the
spiders store them). The tokens come from the environment (`credentials`), are used for the call
and never stored. Platforms without a posting API (or without a token) are posted by hand: the
editor marks the draft posted, and :func:`link_by_text` finds the real reply in the next crawl.
"""

from __future__ import annotations

import json
import logging
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import duckdb

from pipeline.errors import RykteError
from pipeline.ingest.importer import validate_row
from pipeline.replydesk import ledger
from pipeline.replydesk.platforms import posts_by_api
from pipeline.responses.quality import jaccard, shingles
from pipeline.store.mentions import resolve_official, resolve_threads, upsert_mentions

if TYPE_CHECKING:
    from pipeline.config.model import RykteConfig

log = logging.getLogger(__name__)

#: environment variables of the company accounts' posting credentials (never in the config file on disk)
ENV = {"mastodon": {"token": "RYKTE_REPLY_MASTODON_TOKEN"},
       "bluesky": {"handle": "RYKTE_REPLY_BLUESKY_HANDLE", "app_password": "RYKTE_REPLY_BLUESKY_APP_PASSWORD"}}
SAME_TEXT = 0.8  # Jaccard of word bigrams: the crawled reply is the approved text (a platform may add a mention)
TIMEOUT = 20


class PublishError(RykteError):
    """The platform refused or could not be reached (the draft stays approved; retried next batch)."""


@dataclass(frozen=True)
class Target:
    platform: str
    base_url: str  # the API root, as the source's base_url (the demo world's prefix in tests)
    credentials: Mapping[str, str]
    account: str  # the company's account as the platform names the author (mentions.author)


def credentials(environ: Mapping[str, str], platform: str) -> dict[str, str] | None:
    """The posting credentials of `platform` from the environment, or None when any is missing."""
    names = ENV.get(platform, {})
    found = {key: environ.get(var, "") for key, var in names.items()}
    return found if names and all(found.values()) else None


def _call(method: str, url: str, body: Any = None, token: str | None = None,
          headers: Mapping[str, str] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode("utf-8")
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
            return json.loads(resp.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")[:200]
        raise PublishError(f"{method} {url.split('?')[0]}: HTTP {exc.code} {detail}") from None
    except (urllib.error.URLError, TimeoutError, ValueError) as exc:
        raise PublishError(f"{method} {url.split('?')[0]}: {exc}") from None


def post_mastodon(target: Target, parent_uri: str, text: str, lang: str | None, key: str) -> tuple[str, str | None]:
    """POST /api/v1/statuses in reply to the status `parent_uri`; returns (status URI, URL).

    `key` (the draft id) is sent as `Idempotency-Key`: if the writer dies between the post and storing
    its id, the retry in the next batch gets the same status back instead of posting twice."""
    token = target.credentials["token"]
    local = None
    found = _call("GET", f"{target.base_url}/api/v2/search?" + urllib.parse.urlencode(
        {"q": parent_uri, "type": "statuses", "resolve": "true", "limit": 1}), token=token)
    statuses = found.get("statuses") if isinstance(found, dict) else None
    if statuses and statuses[0].get("uri") == parent_uri:
        local = str(statuses[0]["id"])
    elif m := re.search(r"/statuses/(\d+)$", parent_uri):  # a status of this instance: its id is in its URI
        local = m.group(1)
    if local is None:
        raise PublishError(f"mastodon: cannot resolve {parent_uri} on {target.base_url}")
    body: dict[str, Any] = {"status": text, "in_reply_to_id": local, "visibility": "public"}
    if lang:
        body["language"] = lang
    status = _call("POST", f"{target.base_url}/api/v1/statuses", body, token=token,
                   headers={"Idempotency-Key": f"rykte-reply-{key}"})
    return str(status.get("uri") or status.get("url")), status.get("url")


def post_bluesky(target: Target, parent_uri: str, text: str, lang: str | None, key: str) -> tuple[str, str | None]:
    """createSession, then createRecord of an app.bsky.feed.post with reply refs; returns (AT-URI, URL)."""
    session = _call("POST", f"{target.base_url}/xrpc/com.atproto.server.createSession",
                    {"identifier": target.credentials["handle"], "password": target.credentials["app_password"]})
    token = session["accessJwt"]
    posts = _call("GET", f"{target.base_url}/xrpc/app.bsky.feed.getPosts?" +
                  urllib.parse.urlencode({"uris": parent_uri}), token=token).get("posts") or []
    if not posts:
        raise PublishError(f"bluesky: {parent_uri} not found")
    parent = {"uri": posts[0]["uri"], "cid": posts[0]["cid"]}
    root = ((posts[0].get("record") or {}).get("reply") or {}).get("root") or parent
    record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": text,
                              "createdAt": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                              "reply": {"root": root, "parent": parent}}
    if lang:
        record["langs"] = [lang]
    made = _call("POST", f"{target.base_url}/xrpc/com.atproto.repo.createRecord",
                 {"repo": session["did"], "collection": "app.bsky.feed.post", "record": record}, token=token)
    rkey = str(made["uri"]).rsplit("/", 1)[-1]
    return str(made["uri"]), f"https://bsky.app/profile/{session['handle']}/post/{rkey}"


POSTERS = {"mastodon": post_mastodon, "bluesky": post_bluesky}

_APPROVED_SQL = """
SELECT d.id, d.text, m.source, m.external_id, m.thread_id, coalesce(m.language, m.lang)
FROM reply_drafts d JOIN mentions m ON m.id = d.mention_id
WHERE d.state = 'approved' ORDER BY d.approved_at, d.id
"""


def publish_approved(con: duckdb.DuckDBPyConnection, targets: Mapping[str, Target]) -> dict[str, int]:
    """Post every approved draft whose platform has a target; store the reply as an official mention
    under the criticism and the draft as posted (api). A failure leaves the draft approved (next batch)."""
    done = {"posted": 0, "failed": 0}
    for draft_id, text, source, parent_ext, thread_id, lang in con.execute(_APPROVED_SQL).fetchall():
        target = targets.get(source)
        if target is None or not posts_by_api(source):
            continue
        try:
            external_id, url = POSTERS[source](target, parent_ext, text,
                                               lang if lang in ("nb", "nn", "sv", "da", "en") else None, draft_id)
        except (PublishError, KeyError, TypeError) as exc:
            log.warning("reply desk: posting draft %s to %s failed: %s", draft_id, source, exc)
            done["failed"] += 1
            continue
        row = validate_row({"source": source, "external_id": external_id, "parent_id": parent_ext,
                            "thread_id": thread_id or parent_ext, "author": target.account, "is_official": True,
                            "published_at": datetime.now(UTC).isoformat(), "text": text, "url": url, "lang": lang})
        upsert_mentions(con, [row])
        ledger.record_posted(con, draft_id, external_id, "api")
        done["posted"] += 1
    if done["posted"]:
        resolve_official(con)  # the new rows: official (SPEC §4) and in their criticism's thread
        resolve_threads(con)
    return done


_UNLINKED_SQL = """
SELECT d.id, d.state, d.text, m.source, m.external_id, m.thread_id, d.approved_at
FROM reply_drafts d JOIN mentions m ON m.id = d.mention_id
WHERE d.state IN ('approved', 'posted') AND d.posted_id IS NULL
"""


def link_by_text(con: duckdb.DuckDBPyConnection) -> int:
    """Link drafts posted by hand (or approved and posted outside the desk) to the official reply a
    crawl found under the criticism with the same text; returns drafts linked."""
    linked = 0
    for draft_id, state, text, source, ext, thread, approved_at in con.execute(_UNLINKED_SQL).fetchall():
        candidates = con.execute(
            """SELECT external_id, text FROM mentions WHERE official AND source = ? AND published_at >= ? - INTERVAL 1 HOUR
                 AND (parent_id = ? OR (thread_id IS NOT NULL AND thread_id = ?)) ORDER BY published_at""",
            [source, approved_at, ext, thread]).fetchall()
        want = shingles(text)
        match = next((c for c, t in candidates if jaccard(want, shingles(t)) >= SAME_TEXT), None)
        if match is None:
            continue
        if state == "approved":
            ledger.record_posted(con, draft_id, match, "crawl")
        else:
            con.execute("UPDATE reply_drafts SET posted_id = ? WHERE id = ?", [match, draft_id])
        linked += 1
    return linked


def targets(sources: list[tuple[str, str | None]], environ: Mapping[str, str],
            accounts: Mapping[str, set[str]]) -> dict[str, Target]:
    """Targets from the configured (platform, base_url) pairs with credentials in the environment."""
    out: dict[str, Target] = {}
    for platform, base_url in sources:
        creds = credentials(environ, platform)
        if creds is None or not posts_by_api(platform) or platform in out:
            continue
        account = creds.get("handle") or sorted(accounts.get(platform) or {""})[0]
        out[platform] = Target(platform, (base_url or DEFAULT_API[platform]).rstrip("/"), creds, account)
    return out


DEFAULT_API = {"mastodon": "https://mastodon.social", "bluesky": "https://bsky.social"}


def publish_step(con: duckdb.DuckDBPyConnection, cfg: RykteConfig, environ: Mapping[str, str] | None = None) -> dict[str, int]:
    """The batch's posting step: targets from the enabled sources and the environment (`ENV`), then post."""
    sources = [(s.platform_name(), s.base_url) for s in cfg.sources if s.enabled]
    found = targets(sources, os.environ if environ is None else environ, cfg.official_accounts())
    return publish_approved(con, found) if found else {"posted": 0, "failed": 0}
