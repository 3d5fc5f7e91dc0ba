"""Trustpilot: the company's review pages, with the Next.js ``__NEXT_DATA__`` payload and markup.

The real site is server-rendered HTML carrying the reviews (and the company's replies, edits and
pagination) as JSON in ``__NEXT_DATA__``; the Trustpilot spider reads that, so it is reproduced here
with the visible cards alongside.
"""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta
from typing import Any

from pipeline.demo.formats.common import iso_z, roots, stable_hash
from pipeline.demo.formats.routing import Req, Resp, hresp, route
from pipeline.demo.posts import COMPANY, Post

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
    cid = f"{stable_hash('consumer', review.author):024x}"[:24]
    return {
        "id": review.id, "filtered": False, "pending": False, "text": review.text, "rating": review.rating,
        "labels": {"merged": None, "verification": {
            "isVerified": stable_hash(review.id) % 3 == 0, "createdDateTime": iso_z(review.created),
            "reviewSourceName": "Organic", "verificationSource": "invitation", "verificationLevel": "not-verified",
            "hasDachExclusion": False}},
        "title": review.title, "likes": stable_hash(review.id, "l") % 4, "source": "Organic",
        "dates": {"experiencedDate": iso_z((review.created - timedelta(days=3 + stable_hash(review.id) % 20)).replace(
            hour=0, minute=0, second=0)), "publishedDate": iso_z(review.created),
            "updatedDate": iso_z(review.edited) if review.edited else None, "submittedDate": None},
        "report": None, "hasUnhandledReports": False,
        "consumer": {"id": cid, "displayName": review.author, "imageUrl": "", "numberOfReviews": 1 + stable_hash(cid) % 7,
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
