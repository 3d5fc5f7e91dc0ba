"""HTML → plain text, once for the whole project.

The spiders turn HTML bodies (Mastodon statuses, Hacker News comments, Reddit's ``*_html``, feed
summaries) into mention text with it, and the sentiment model's cleaning
(``pipeline/analysis/batching.py``) strips whatever markup an imported row still carries with the same
function, so both agree on what the text of a piece of HTML is. It lives in ``crawlers`` because the
crawlers may not import the pipeline, while the pipeline may import this module (no Scrapy here).

Parsing is lxml's HTML parser, which is linear in the input and forgiving with unclosed tags; the
contents of ``<script>``/``<style>`` (and comments) are dropped, entities decoded, paragraphs and
``<br>`` kept as line breaks. Text that carries no tag is not parsed at all: a lone ``<`` (``I <3 it``,
``a<b``) stays as written and only its entities are decoded.
"""

from __future__ import annotations

import html
import re

from lxml import etree
from lxml import html as lxml_html

#: something that looks like a tag, a comment or CDATA; without one the text is not HTML
_MARKUP_RE = re.compile(r"</?[A-Za-z][^<>]*>|<!--|<!\[CDATA\[")
#: control characters lxml refuses (and that carry no text); tab, newline and carriage return stay
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: the linear fallback if the parser refuses the input: drop tag-like runs between < and >
_TAG_RE = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.DOTALL)
_DROPPED = ("script", "style", "template", "noscript")
_BLOCKS = ("p", "div", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "tr", "section",
           "article", "header", "footer", "ul", "ol", "table")
_SPACES_RE = re.compile(r"[ \t\r\f\v]+")
_EDGE_RE = re.compile(r" ?\n ?")
_PARAGRAPHS_RE = re.compile(r"\n{3,}")


def html_to_text(fragment: str | None) -> str:
    """Plain text of an HTML fragment: paragraphs and ``<br>`` become line breaks, entities decoded.

    Never raises; text without markup comes back stripped, with its entities decoded.
    """
    if not fragment:
        return ""
    if not _MARKUP_RE.search(fragment):
        return (html.unescape(fragment) if "&" in fragment else fragment).strip()
    fragment = _CONTROL_RE.sub("", fragment)
    parser = _parser()
    try:
        doc = lxml_html.fragment_fromstring(fragment, create_parent="div", parser=parser)
    except (etree.ParserError, ValueError):  # e.g. an XML declaration with an encoding
        doc = None
    if doc is None or any(e.level_name == "FATAL" for e in parser.error_log):
        # the parser gave up (e.g. nesting deeper than 2048): its tree may lack the rest of the text
        text = html.unescape(_TAG_RE.sub(" ", fragment))
    else:
        for el in [el for el in doc.iter(*_DROPPED)]:
            el.drop_tree()
        for br in doc.iter("br"):
            br.tail = "\n" + (br.tail or "")
        for el in doc.iter(*_BLOCKS):
            el.tail = "\n\n" + (el.tail or "")
        text = doc.text_content()
    text = _SPACES_RE.sub(" ", text)
    text = _EDGE_RE.sub("\n", text)
    return _PARAGRAPHS_RE.sub("\n\n", text).strip()


def _parser() -> lxml_html.HTMLParser:
    # huge_tree: libxml2 otherwise stops at ~10 MB text nodes; comments and processing
    # instructions carry no text.
    return lxml_html.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True)
