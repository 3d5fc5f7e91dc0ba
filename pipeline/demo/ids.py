"""Platform-native ids for the demo posts: stable, and never dependent on the anchor time.

Each id is derived from the seed, the platform and the post's key and shaped like the platform's own
(Reddit base-36, Bluesky TIDs, Mastodon snowflakes, …), so a world started later serves the same ids
and a re-crawl updates mentions instead of adding new ones.
"""

from __future__ import annotations

import hashlib

from pipeline.demo.posts import Post


def _h(*parts: object) -> int:
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest(), 16)


B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
B32S = "234567abcdefghijklmnopqrstuvwxyz"


def _enc(n: int, alphabet: str, width: int) -> str:
    out = ""
    for _ in range(width):
        n, d = divmod(n, len(alphabet))
        out = alphabet[d] + out
    return out


def assign_ids(posts: dict[str, list[Post]], seed: int) -> None:
    for platform, ps in posts.items():
        ps.sort(key=lambda p: (-p.hours_ago, p.key))
        for i, p in enumerate(ps):
            h = _h(seed, platform, p.key)
            if platform == "reddit":
                p.id = _enc(h, B36, 7)
            elif platform == "hackernews":
                p.id = str(41_200_000 + i * 211 + h % 150)
            elif platform == "mastodon":
                p.id = str(113_400_000_000_000_000 + i * 3_000_000_000 + h % 1_000_000_000)
            elif platform == "bluesky":
                p.id = "3l" + _enc(2**40 + i * 7919 + h % 5000, B32S, 11)
            elif platform == "trustpilot":
                p.id = f"{h % 16**24:024x}"
            elif platform == "linkedin":
                p.id = str(7_250_000_000_000_000_000 + i * 1_000_000_000 + h % 1_000_000)
            elif platform == "facebook":
                p.id = str(100_000_000_000_000 + i * 1_000_003 + h % 1000)
            elif platform == "instagram":
                p.id = str(17_900_000_000_000_000 + i * 1_000_003 + h % 1000)
            else:  # web
                p.id = str(5_000 + i * 3 + h % 3)
