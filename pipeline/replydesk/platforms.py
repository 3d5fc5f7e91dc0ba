"""Where an approved reply is posted by the service, and where by hand.

Why a module of its own: the dashboard says which of the two will happen before anything is
approved, and the writer decides with the same table. Posting through an API needs the platform's
official API and a token that may post as the company (`pipeline.replydesk.publish`); everywhere
else the editor copies the text, posts it and marks it posted, and the next crawl links the reply.
"""

from __future__ import annotations

#: platforms (`mentions.source`) the service posts to through the official API
API_PLATFORMS = ("mastodon", "bluesky")


def posts_by_api(platform: str | None) -> bool:
    return platform in API_PLATFORMS
