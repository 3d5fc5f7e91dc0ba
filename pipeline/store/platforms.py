"""Platform names: the one mapping from the names statistics use to our `mentions.source` ids.

Why here: published statistics say "Facebook", "Twitter/X", "X (Twitter)" or "YouTube"; our
mentions carry the source ids of the crawlers and the import format (`facebook`, `twitter`,
`youtube`, `hackernews`, ...). The quarterly import stores the id (`pipeline.stats`), and the
quarterly comparison (`pipeline.store.queries.quarterly`) joins statistics to mentions by it, so
both must map the same way: this module is that one place. It sits in the store (the bottom layer)
because the read side needs it and must not import the import code.

A name not listed is kept as a lower-case id with spaces, dots and dashes removed ("Hacker News"
→ `hackernews`), so a company's own platform names still line up with their source ids. Messenger
is a platform of its own (not `facebook`): the surveys count it separately.
"""

from __future__ import annotations

import re

PLATFORM_ALIASES: dict[str, str] = {
    "x": "twitter",
    "twitter/x": "twitter",
    "x/twitter": "twitter",
    "x(twitter)": "twitter",
    "twitter(x)": "twitter",
    "fb": "facebook",
    "ig": "instagram",
    "insta": "instagram",
    "facebookmessenger": "messenger",
    "snap": "snapchat",
    "yt": "youtube",
    "hn": "hackernews",
    "ycombinator": "hackernews",
    "bsky": "bluesky",
}

_STRIP = re.compile(r"[\s.\-_]+")


def platform_id(name: str) -> str:
    """The `mentions.source` id for a platform name as statistics write it ("Twitter/X" → `twitter`)."""
    key = _STRIP.sub("", str(name).strip().lower())
    return PLATFORM_ALIASES.get(key, key)
