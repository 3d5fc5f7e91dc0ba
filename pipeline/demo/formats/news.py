"""News: RSS 2.0 and Atom feeds (combined and per publisher), a Google-News-style search feed, articles.

The news spider reads feeds and then the article pages (``<article>`` markup plus JSON-LD), so both
are served here in the shapes real publishers and Google News produce.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote

from pipeline.demo.formats.common import escape_markup, iso_z, matches_query, stable_hash
from pipeline.demo.formats.routing import Req, Resp, hresp, route


def article_path(a: Any) -> str:
    d = a.created
    return f"/{a.publisher}/{d:%Y/%m/%d}/{a.slug}"


def rfc822(dt: datetime) -> str:
    return format_datetime(dt.astimezone(UTC), usegmt=True)


def _news_articles(req: Req, publisher: str | None = None) -> list[Any]:
    arts = [a for a in req.content.articles if publisher is None or a.publisher == publisher]
    return sorted(arts, key=lambda a: a.created, reverse=True)


@route("news", r"/(?:(?P<pub>[a-z]+)/)?rss(?:\.xml)?")
def news_rss(req: Req, m: re.Match[str]) -> Resp:
    arts = _news_articles(req, m.group("pub"))
    # a publisher's feed declares its language; the combined feed mixes languages and declares none
    lang_tag = f"<language>{arts[0].lang}</language>" if m.group("pub") and arts else ""
    items = "".join(
        f"<item><title>{escape_markup(a.title)}</title><link>{req.base}{article_path(a)}</link>"
        f'<guid isPermaLink="false">urn:nordlys-demo:article:{a.key}</guid><pubDate>{rfc822(a.created)}</pubDate>'
        f"<description>{escape_markup(a.lead)}</description><dc:creator>{escape_markup(a.author)}</dc:creator>"
        f"<category>{escape_markup(a.publisher_name)}</category></item>" for a in arts)
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
        f'<entry><title>{escape_markup(a.title)}</title><link rel="alternate" href="{req.base}{article_path(a)}"/>'
        f"<id>urn:nordlys-demo:article:{a.key}</id><published>{iso_z(a.created, False)}</published>"
        f"<updated>{iso_z(a.created, False)}</updated><author><name>{escape_markup(a.author)}</name></author>"
        f'<summary>{escape_markup(a.lead)}</summary><category term="{escape_markup(a.publisher_name)}"/></entry>' for a in arts)
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
        desc = f'<a href="{link}" target="_blank">{escape_markup(a.title)}</a>&nbsp;&nbsp;<font color="#6f6f6f">{escape_markup(a.publisher_name)}</font>'
        items.append(
            f"<item><title>{escape_markup(a.title)} - {escape_markup(a.publisher_name)}</title><link>{link}</link>"
            f'<guid isPermaLink="false">{stable_hash(a.key):x}</guid><pubDate>{rfc822(a.created)}</pubDate>'
            f'<description>{escape_markup(desc)}</description><source url="{req.base}/{a.publisher}/">{escape_markup(a.publisher_name)}</source></item>')
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><rss version="2.0" '
           'xmlns:media="http://search.yahoo.com/mrss/"><channel><generator>NFE/5.0</generator>'
           f'<title>"{escape_markup(q)}" - Google News</title><link>{req.base}/search?q={quote(q)}</link>'
           f"<language>{escape_markup(hl)}</language><webMaster>news-webmaster@google.com</webMaster>"
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
    paras = "".join(f"<p>{escape_markup(p)}</p>" for p in a.body)
    others = "".join(f'<li><a href="{req.base}{article_path(o)}">{escape_markup(o.title)}</a></li>'
                     for o in _news_articles(req, a.publisher)[:5] if o is not a)
    page = (f'<!DOCTYPE html><html lang="{a.lang}"><head><meta charset="utf-8"><title>{escape_markup(a.title)} – '
            f'{escape_markup(a.publisher_name)}</title><meta name="description" content="{escape_markup(a.lead)}">'
            f'<meta property="og:title" content="{escape_markup(a.title)}"><meta property="og:type" content="article">'
            f'<meta property="og:site_name" content="{escape_markup(a.publisher_name)}">'
            f'<meta property="article:published_time" content="{iso_z(a.created, False)}">'
            f'<meta name="author" content="{escape_markup(a.author)}"><link rel="canonical" href="{req.base}{req.path}">'
            f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script></head><body>'
            f'<header class="site-header"><a href="{req.base}/{a.publisher}/">{escape_markup(a.publisher_name)}</a>'
            f'<nav><a href="{req.base}/">Forsiden</a></nav></header><main>'
            f'<article class="article"><h1 class="article-title">{escape_markup(a.title)}</h1>'
            f'<p class="byline">Av <span class="author">{escape_markup(a.author)}</span>, '
            f'<time datetime="{iso_z(a.created, False)}">{a.created:%d.%m.%Y %H:%M}</time></p>'
            f'<p class="lead"><strong>{escape_markup(a.lead)}</strong></p><div class="article-body">{paras}</div></article>'
            f'<aside class="related"><h2>Mer fra {escape_markup(a.publisher_name)}</h2><ul>{others}</ul></aside></main>'
            f'<footer>© {escape_markup(a.publisher_name)} (fiktiv demoavis)</footer></body></html>')
    return hresp(page)


@route("news", r"/(?:(?P<pub>[a-z]+)/?)?")
def news_front(req: Req, m: re.Match[str]) -> Resp:
    arts = _news_articles(req, m.group("pub"))
    items = "".join(f'<li><a href="{req.base}{article_path(a)}">{escape_markup(a.title)}</a> <small>{escape_markup(a.publisher_name)}</small></li>'
                    for a in arts)
    return hresp(f'<!DOCTYPE html><html lang="nb"><head><meta charset="utf-8"><title>Nyheter</title>'
                 f'<link rel="alternate" type="application/rss+xml" href="{req.base}/rss"></head>'
                 f"<body><h1>Nyheter</h1><ul>{items}</ul></body></html>")
