"""Mastodon through an instance's public REST API (no login).

* hashtag timelines ``{base}/api/v1/timelines/tag/<tag>`` (paged with ``max_id``);
* the official account: ``{base}/api/v1/accounts/lookup?acct=…`` then
  ``{base}/api/v1/accounts/<id>/statuses``;
* replies through ``{base}/api/v1/statuses/<id>/context``.

Ids are the statuses' federated ``uri`` (the same on every instance); HTML content becomes text.
A tag status is kept when it names the company (or always, with ``require_match: false``) together
with every reply under it; the official account's statuses keep their whole context, so a company
reply links to the post it answers.

A reply's ``in_reply_to_id`` is the parent's id on *this* instance, not its federated id. When the
parent is in the context, its ``uri`` is used; when it is not (the context call failed, or the parent
is outside it), the spider asks ``{base}/api/v1/statuses/<in_reply_to_id>`` for the parent's
``uri`` before staging the reply. If that fails too, the reply is staged without a parent
(``skipped: parent_unavailable`` counts it) rather than with an id that can never match.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote, urlencode

from scrapy.http import Request, Response
from twisted.python.failure import Failure

from crawlers.matching import select_thread
from crawlers.options import MastodonOptions
from crawlers.spiders.base import MAPPING_ERRORS, Raw, RykteSpider
from crawlers.text import html_to_text


def _uri(s: dict[str, Any]) -> str:
    return str(s.get("uri") or s.get("url") or s.get("id"))


def status_raw(s: dict[str, Any], ids: dict[str, str] | None = None, root: str | None = None) -> Raw:
    """A Status entity → Raw. ``ids`` maps local status ids to uris (to link ``in_reply_to_id``).

    A reply whose parent is not in ``ids`` gets no parent and no thread here: see
    :func:`unresolved_parent` and ``MastodonSpider.parse_parent``.
    """
    uri = _uri(s)
    parent_local = s.get("in_reply_to_id")
    parent = (ids or {}).get(str(parent_local)) if parent_local else None
    text = html_to_text(s.get("content"))
    if s.get("spoiler_text"):
        text = f"{s['spoiler_text']}\n\n{text}"
    account = s.get("account") or {}
    thread = (root or uri) if not parent_local else (root if parent else None)
    return Raw(
        external_id=uri,
        author=account.get("acct") or account.get("username"),
        published=s.get("created_at"),
        text=text,
        parent_id=parent,
        thread_id=thread,
        url=s.get("url"),
        lang=s.get("language"),
    )


def unresolved_parent(s: dict[str, Any], ids: dict[str, str] | None = None) -> str | None:
    """The local ``in_reply_to_id`` of a reply whose parent is not among ``ids`` (else None)."""
    parent_local = s.get("in_reply_to_id")
    if parent_local and str(parent_local) not in (ids or {}):
        return str(parent_local)
    return None


def parse_context(status: dict[str, Any], context: Any) -> list[tuple[Raw, str | None]]:
    """A status and its ``/context`` body → ancestors, the status, descendants, all linked, each with
    the local id of a parent the context does not hold (to look up; else None)."""
    if not isinstance(context, dict) or "descendants" not in context:
        raise ValueError("not a Context")
    ancestors = [a for a in context.get("ancestors") or [] if isinstance(a, dict)]
    descendants = [d for d in context.get("descendants") or [] if isinstance(d, dict)]
    everything = [*ancestors, status, *descendants]
    ids = {str(s.get("id")): _uri(s) for s in everything}
    first = everything[0]
    # the context's first node is the thread's root only if it replies to nothing unknown
    root = None if unresolved_parent(first, ids) else ids[str(first.get("id"))]
    return [(status_raw(s, ids, root), unresolved_parent(s, ids)) for s in everything]


class MastodonSpider(RykteSpider):
    name = "mastodon"
    options: MastodonOptions

    def initial_requests(self) -> Iterable[Request]:
        self.limit = self.options.limit
        self.require_match = self.options.require_match
        for tag in self.options.hashtags:
            tag = tag.lstrip("#")
            yield self.tag_request(tag, None, 1)
        for acct in self.options.accounts:
            acct = acct.lstrip("@")
            yield self.request(
                f"{self.base_url}/api/v1/accounts/lookup?{urlencode({'acct': acct})}",
                self.parse_lookup,
                cb_kwargs={"acct": acct},
            )

    def tag_request(self, tag: str, max_id: str | None, page: int) -> Request:
        params = {"limit": str(self.limit)}
        if max_id:
            params["max_id"] = max_id
        return self.request(
            f"{self.base_url}/api/v1/timelines/tag/{quote(tag)}?{urlencode(params)}",
            self.parse_timeline,
            cb_kwargs={"stream": f"tag:{tag}", "tag": tag, "page": page, "owned": False},
        )

    def parse_lookup(self, response: Response, acct: str) -> Iterator[Request]:
        data = self.load_json(response)
        if data is None:
            return
        if not isinstance(data, dict) or not data.get("id"):
            self.json_shape_error(response, "no account id")
            return
        yield self.account_request(acct, str(data["id"]), None, 1)

    def account_request(self, acct: str, account_id: str, max_id: str | None, page: int) -> Request:
        params = {"limit": str(self.limit), "exclude_reblogs": "true"}
        if max_id:
            params["max_id"] = max_id
        return self.request(
            f"{self.base_url}/api/v1/accounts/{account_id}/statuses?{urlencode(params)}",
            self.parse_timeline,
            cb_kwargs={
                "stream": f"account:{acct}",
                "tag": account_id,
                "page": page,
                "owned": True,
                "acct": acct,
            },
        )

    def parse_timeline(
        self, response: Response, stream: str, tag: str, page: int, owned: bool, acct: str | None = None
    ) -> Iterator[Any]:
        data = self.load_json(response)
        if data is None:
            return
        if not isinstance(data, list):
            self.json_shape_error(response, "a timeline is a list of statuses")
            return
        times = []
        for s in data:
            if not isinstance(s, dict) or s.get("reblog"):
                continue
            times.append(s.get("created_at"))
            if (
                not owned
                and self.require_match
                and not self.matcher.matches(html_to_text(s.get("content")), s.get("spoiler_text"))
            ):
                continue
            self.observe(stream, s.get("created_at"))
            yield self.request(
                f"{self.base_url}/api/v1/statuses/{s['id']}/context",
                self.parse_context,
                cb_kwargs={"status": s, "owned": owned},
                meta={"status": s},
            )
        if data and page < self.opt_max_pages and self.should_continue_paging(stream, times, page):
            last = str(data[-1].get("id")) if isinstance(data[-1], dict) else None
            if last:
                if owned and acct:
                    yield self.account_request(acct, tag, last, page + 1)
                else:
                    yield self.tag_request(tag, last, page + 1)

    def parse_context(self, response: Response, status: dict[str, Any], owned: bool) -> Iterator[Any]:
        data = self.load_json(response)
        if data is None:  # keep the status itself
            yield from self.stage(status_raw(status), unresolved_parent(status), response.url)
            return
        try:
            linked = parse_context(status, data)
        except MAPPING_ERRORS as exc:
            self.json_shape_error(response, str(exc))
            return
        nodes = [n for n, _ in linked]
        n_anc = len([a for a in data.get("ancestors") or [] if isinstance(a, dict)])
        if owned:
            keep = {n.external_id for n in nodes}  # the company's post: its whole conversation
        else:
            parents = {n.external_id: n.parent_id for n in nodes[n_anc:]}
            keep = select_thread(parents, [nodes[n_anc].external_id])
        for n, missing in linked:
            if n.external_id in keep:
                yield from self.stage(n, missing, response.url)

    def stage(self, raw: Raw, missing_parent: str | None, where: str) -> Iterator[Any]:
        """Emit ``raw``, after looking up its parent's uri when the context did not hold it."""
        if missing_parent is None:
            item = self.emit(raw, where=where)
            if item:
                yield item
            return
        yield self.request(
            f"{self.base_url}/api/v1/statuses/{quote(missing_parent)}",
            self.parse_parent,
            cb_kwargs={"raw": raw},
            meta={"raw": raw},
        )

    def parse_parent(self, response: Response, raw: Raw) -> Iterator[Any]:
        data = self.load_json(response)
        if isinstance(data, dict) and (data.get("uri") or data.get("url")):
            raw.parent_id = _uri(data)
        else:
            if data is not None:
                self.json_shape_error(response, "a status without uri")
            self.skip("parent_unavailable")
        item = self.emit(raw, where=response.url)
        if item:
            yield item

    def on_error(self, failure: Failure) -> Iterator[Any]:  # type: ignore[override]
        """Count the failure. A status whose context failed is still staged (its parent looked up);
        a reply whose parent cannot be looked up is staged without it."""
        super().on_error(failure)
        request = getattr(failure, "request", None)
        meta = request.meta if request is not None else {}
        status, raw = meta.get("status"), meta.get("raw")
        if isinstance(status, dict):
            where = request.url if request is not None else ""
            yield from self.stage(status_raw(status), unresolved_parent(status), where)
        elif isinstance(raw, Raw):
            self.skip("parent_unavailable")
            item = self.emit(raw, where=request.url if request is not None else None)
            if item:
                yield item
