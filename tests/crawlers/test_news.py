"""News spider: RSS + Atom feeds, Google News search feeds, article text via trafilatura."""

from __future__ import annotations

from pathlib import Path

from tests.crawlers.conftest import FIXTURES, FixtureServer, run_crawl


def test_news_feeds_google_news_and_articles(server: FixtureServer, tmp_path: Path) -> None:
    rss = (FIXTURES / "news/feed.rss").read_text(encoding="utf-8").replace("{base}", server.url)
    server.add("/feeds/fjordposten.rss", body=rss, content_type="application/rss+xml; charset=utf-8")
    server.add("/feeds/bransch.atom", "news/blog.atom")
    server.add(
        "/artikkel/nedbemanning-alnabru",
        "news/article_nedbemanning.html",
        content_type="text/html; charset=utf-8",
    )
    server.add(
        "/rss/search",
        "news/google_news.rss",
        query={"q": '"Nordlys Logistikk"', "hl": "no", "gl": "NO", "ceid": "NO:no"},
    )
    server.add("/rss/search", "news/google_news.rss")  # the other aliases find the same story
    options = {
        "feeds": [f"{server.url}/feeds/fjordposten.rss", f"{server.url}/feeds/bransch.atom"],
        "google_news": True,
        "languages": ["no"],
        "regions": ["NO"],
    }
    res = run_crawl(tmp_path, "news", server.url, options)
    assert res.returncode == 0, res.log
    items = res.by_id()
    assert set(items) == {
        "fp-2026-1101",
        "fp-2026-1105",
        "urn:uuid:bb-0001",
        "CBMiTESTARTICLE01",
    }, items.keys()
    art = items["fp-2026-1101"]
    # summary-only entry: the article page was fetched and its text extracted
    assert "kutte 60 stillinger ved terminalen på Alnabru" in art["text"]
    assert "Forsiden" not in art["text"]
    # the byline is not article text, and the page's heading is not repeated after the title
    assert "Av Ola Nordmann" not in art["text"]
    assert art["text"].count("varsler nedbemanning på Alnabru") == 1, art["text"]
    assert art["author"] == "Ola Nordmann" and art["published_at"] == "2026-11-20T06:30:00Z"
    assert art["thread_id"] == "fp-2026-1101" and art["parent_id"] is None
    assert art["url"] == f"{server.url}/artikkel/nedbemanning-alnabru"
    # full text in content:encoded / Atom content: no article fetch
    assert not server.seen("/artikkel/tariff")
    assert items["urn:uuid:bb-0001"]["author"] == "Eva Svensson"
    assert items["urn:uuid:bb-0001"]["text"].count("Göteborg") > 3
    gn = items["CBMiTESTARTICLE01"]
    assert gn["title"].startswith("Nordlys Logistikk kjøper konkurrent") and gn["author"] == "Nordnytt"
    # the hotel (exclusion) and the budget story (no match) are skipped; the undated entry is a counted error
    assert res.stats["error_kinds"] == {"missing_date": 1}
    assert res.stats["items"] == 4
    assert {r.query["q"] for r in server.seen("/rss/search")} == {
        '"Nordlys Logistikk"',
        '"Nordlys Logistikk AS"',
        "NordlysLog",
    }


LATIN1_FEED = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Bygdeposten</title><language>nb</language>
<item><title>Nordlys Logistikk stenger lageret på Ørsta</title>
<description>Sjåførene får beskjed i dag. Fagforeningen er rasende over måten det skjer på.</description>
<pubDate>Fri, 20 Nov 2026 08:00:00 +0100</pubDate></item>
<item><title>Nordlys Logistikk svarer kritikerne</title>
<description>Direktøren beklager informasjonen til de ansatte.</description>
<pubDate>Sat, 21 Nov 2026 09:00:00 +0100</pubDate></item>
<item><title>Været i helgen</title><description>Sol og kuling.</description>
<pubDate>Sat, 21 Nov 2026 10:00:00 +0100</pubDate></item>
</channel></rss>"""


def test_feed_charset_from_http_and_entries_without_guid_or_link(server: FixtureServer, tmp_path: Path) -> None:
    # no encoding in the XML declaration: only the HTTP header says ISO-8859-1
    server.add("/feeds/bygd.rss", body=LATIN1_FEED.encode("latin-1"),
               content_type="application/rss+xml; charset=iso-8859-1")
    options = {"feeds": [f"{server.url}/feeds/bygd.rss"], "fetch_articles": False}
    first = run_crawl(tmp_path / "a", "news", server.url, options)
    assert first.returncode == 0, first.log
    assert first.stats["error_kinds"] == {}, first.stats  # was: encoding error, and no entries at all
    texts = sorted(i["text"] for i in first.items)
    assert len(texts) == 2 and texts[0].startswith("Nordlys Logistikk stenger lageret på Ørsta")
    assert all(i["external_id"].startswith("feed-entry:") for i in first.items)
    assert first.stats["skipped"] == {"no_match": 1}  # the weather, counted
    again = run_crawl(tmp_path / "b", "news", server.url, options)
    assert again.ids() == first.ids()  # stable ids: a re-crawl updates, never duplicates


def test_a_feed_body_naming_a_local_file_is_not_read(server: FixtureServer, tmp_path: Path) -> None:
    local = tmp_path / "secret.rss"
    local.write_text(LATIN1_FEED.replace("<item>", "<item><guid>local-1</guid>", 1), encoding="utf-8")
    server.add("/feeds/path.rss", body=str(local), content_type="application/rss+xml")
    res = run_crawl(tmp_path / "run", "news", server.url, {"feeds": [f"{server.url}/feeds/path.rss"]})
    assert res.returncode == 0, res.log
    assert res.items == []  # was: the local file's entries, staged as news
    assert res.stats["errors"] >= 1
