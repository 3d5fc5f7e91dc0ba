"""Template detection: is a reply a near-copy of the company's other replies?

Word-bigram shingles compared by Jaccard similarity; for a whole batch, MinHash + LSH finds the
candidate pairs in linear time (comparing every pair would be quadratic, too slow for 100k replies).
"""

from __future__ import annotations

import functools
import itertools
import random
import re
import zlib
from collections.abc import Sequence

from pipeline.responses.quality.rubric import TEMPLATE_MIN_COPIES, TEMPLATE_THRESHOLD
from pipeline.responses.quality.text import WORDS, normalise

_BANDS, _ROWS = 8, 3
_MASKS = [random.Random(17052024 + i).getrandbits(32) for i in range(_BANDS * _ROWS)]
_REPS_PER_BUCKET = 16


@functools.lru_cache(maxsize=131072)
def shingles(text: str) -> frozenset[str]:
    """Word-bigram shingles of a normalised reply (digits folded to 0, so dates/ids do not matter)."""
    toks = [re.sub(r"\d", "0", t) for t in WORDS.findall(normalise(text))]
    if len(toks) < 2:
        return frozenset(toks)
    return frozenset(f"{a} {b}" for a, b in itertools.pairwise(toks))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def _h32(s: str) -> int:
    return (zlib.crc32(s.encode("utf-8")) * 0x9E3779B1) & 0xFFFFFFFF


def mark_templates(
    replies: Sequence[str], *, threshold: float = TEMPLATE_THRESHOLD, min_copies: int = TEMPLATE_MIN_COPIES
) -> list[bool]:
    """True for each reply that belongs to a group of >= ``min_copies`` near-identical replies.

    Near-identical = Jaccard similarity of word-bigram sets >= ``threshold`` (greeting names, dates
    and case numbers change a few bigrams only). Candidates come from MinHash LSH (8 bands × 3 rows;
    a pair at Jaccard 0.6 becomes a candidate with p ≈ 0.86 per pair, at 0.8 with p ≈ 0.996), each
    candidate is verified exactly against up to 16 representatives per bucket, and groups are closed
    transitively (union-find). Linear in the number of replies.
    """
    n = len(replies)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    sets = [shingles(r) for r in replies]
    exact: dict[frozenset[str], int] = {}
    buckets: dict[tuple[int, ...], list[int]] = {}
    for i, s in enumerate(sets):
        if not s:
            continue
        first = exact.setdefault(s, i)
        if first != i:
            union(i, first)
            continue
        hs = [_h32(x) for x in s]
        sig = [min(map(m.__xor__, hs)) for m in _MASKS]
        for b in range(_BANDS):
            key = (b, *sig[b * _ROWS : (b + 1) * _ROWS])
            reps = buckets.setdefault(key, [])
            for r in reps:
                if jaccard(s, sets[r]) >= threshold:
                    union(i, r)
                    break
            else:
                if len(reps) < _REPS_PER_BUCKET:
                    reps.append(i)
    size: dict[int, int] = {}
    roots = [find(i) for i in range(n)]
    for r in roots:
        size[r] = size.get(r, 0) + 1
    return [bool(sets[i]) and size[roots[i]] >= min_copies for i in range(n)]
