"""Generic web: "Jobbprat", our own forum and employer-review site in plain HTML.

It exercises the configurable CSS-selector web spider (the selectors are documented in
``config/demo.yaml``): thread pages with nested posts and official answers, and paged reviews
with employer responses.
"""

from __future__ import annotations

import re

from pipeline.demo.formats.common import escape_markup, iso_z, paragraphs_html, roots, sentences, thread_posts
from pipeline.demo.formats.routing import Req, Resp, hresp, route
from pipeline.demo.posts import Post


def web_forum_threads(req: Req) -> list[Post]:
    return sorted([p for p in roots(req.content, "web") if p.rating is None], key=lambda p: p.created, reverse=True)


def web_reviews(req: Req) -> list[Post]:
    return sorted([p for p in roots(req.content, "web") if p.rating is not None], key=lambda p: p.created, reverse=True)


def web_page(title: str, lang: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape_markup(title)}</title></head>'
            f'<body><header><a href="/web/">Jobbprat</a></header><main>{body}</main></body></html>')


@route("web", r"/?")
def web_index(req: Req, m: re.Match[str]) -> Resp:
    return hresp(web_page("Jobbprat", "nb", '<ul><li><a href="/web/forum/">Forum</a></li>'
                          '<li><a href="/web/reviews/nordlys-logistikk">Arbeidsgiveranmeldelser</a></li></ul>'))


@route("web", r"/forum/?")
def web_forum(req: Req, m: re.Match[str]) -> Resp:
    rows = "".join(
        f'<li class="thread-link"><a href="/web/forum/thread/{p.id}">{escape_markup(sentences(p.text)[0])}</a> '
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
            f'<div class="post-meta"><span class="post-author">{escape_markup(p.author)}</span> '
            f'<time class="post-date" datetime="{iso_z(p.created, False)}">{p.created:%d.%m.%Y %H:%M}</time></div>'
            f'<div class="post-body">{paragraphs_html(p.text)}</div></div>')
    body = (f'<div class="thread" data-thread-id="{root.id}"><h1 class="thread-title">{escape_markup(title)}</h1>'
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
                     f'<span class="response-author">{escape_markup(k.author)}</span> '
                     f'<time class="response-date" datetime="{iso_z(k.created, False)}"></time>'
                     f'<div class="response-text">{paragraphs_html(k.text)}</div></div>')
        cards.append(
            f'<div class="review" id="review-{r.id}" data-review-id="{r.id}" lang="{r.lang}">'
            f'<h3 class="review-title">{escape_markup(r.title or "")}</h3>'
            f'<span class="review-rating" data-rating="{r.rating}">{"★" * (r.rating or 0)}{"☆" * (5 - (r.rating or 0))}</span> '
            f'<span class="review-author">{escape_markup(r.author)}</span> '
            f'<time class="review-date" datetime="{iso_z(r.created, False)}">{r.created:%d.%m.%Y}</time>'
            f'<div class="review-text">{paragraphs_html(r.text)}</div>{resp}</div>')
    nav = ""
    if page < pages:
        nav = f'<a class="next" rel="next" href="/web/reviews/nordlys-logistikk?page={page + 1}">Neste side</a>'
    body = f'<h1>Nordlys Logistikk AS – anmeldelser fra ansatte</h1><div class="reviews">{"".join(cards)}</div><nav class="pager">{nav}</nav>'
    return hresp(web_page("Nordlys Logistikk AS – anmeldelser", "nb", body))
