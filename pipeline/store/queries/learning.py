"""The read side of learning from HR: the mentions the model is least sure of, and the active model.

Why here: the dashboard's "Teach the model" page may read only the store's read side, not the
analysis code. The queue is one SQL rule (`uncertain_mentions`); the model versions' files
(`<models>/versions/active.json` and each version's `card.json`, written by
`pipeline/analysis/versions.py` and `retrain.py`) are read through `read_state`/`read_card`, which the
analysis side uses too, so the layout has one home.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

SHIPPED = "shipped"
VERSIONS_DIR = "versions"
ACTIVE_FILE = "active.json"
WEIGHTS_FILE = "sentiment.safetensors"
CARD_FILE = "card.json"
QUEUE_COLUMNS = ["id", "source", "title", "text", "published_at", "sentiment", "confidence", "margin",
                 "parent_text"]


# A mention is "unsure" when its two likeliest labels are closer than this (e.g. 70 % / 25 %): one the
# model reads at 95 % would waste HR's few clicks a day, so the queue rather stays short.
MAX_MARGIN = 0.5


def uncertain_mentions(con: duckdb.DuckDBPyConnection, limit: int,
                       exclude: Sequence[int] = ()) -> pd.DataFrame:
    """Up to `limit` scored mentions the model is least sure of: the smallest margin between its two
    most likely labels first, newest first among equals, and only below `MAX_MARGIN`. Left out:
    mentions already corrected (or in
    `exclude`, e.g. corrections not yet taken in), the company's own posts and emptied texts."""
    if limit <= 0:
        return pd.DataFrame(columns=QUEUE_COLUMNS)
    return con.execute(
        """
        WITH scored AS (
            SELECT m.*, list_sort([p_negative, p_neutral, p_positive], 'DESC') AS ranked
            FROM mentions m
            WHERE m.sentiment IS NOT NULL AND m.p_negative IS NOT NULL AND coalesce(m.text, '') <> ''
              AND m.official IS NOT TRUE AND NOT list_contains(?::BIGINT[], m.id)
              AND m.id NOT IN (SELECT mention_id FROM label_corrections WHERE mention_id IS NOT NULL))
        SELECT s.id, s.source, s.title, s.text, s.published_at, s.sentiment, s.ranked[1] AS confidence,
               s.ranked[1] - s.ranked[2] AS margin, p.text AS parent_text
        FROM scored s LEFT JOIN mentions p ON p.source = s.source AND p.external_id = s.parent_id
        WHERE s.ranked[1] - s.ranked[2] < ?
        ORDER BY margin, s.published_at DESC, s.id
        LIMIT ?
        """, [list(exclude), MAX_MARGIN, limit]).df()


def corrections_since(con: duckdb.DuckDBPyConnection, since: datetime) -> int:
    """How many corrections were made since `since` (naive UTC): the queue asks for a few a day."""
    row = con.execute("SELECT count(*) FROM label_corrections WHERE corrected_at >= ?", [since]).fetchone()
    return int(row[0]) if row else 0


def read_state(models_dir: Path) -> dict[str, Any]:
    """The parsed `versions/active.json` ({} when there is none or it is unreadable)."""
    try:
        state = json.loads((Path(models_dir) / VERSIONS_DIR / ACTIVE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def read_card(models_dir: Path, version_id: str) -> dict[str, Any]:
    """A version's card ({} when missing or unreadable)."""
    try:
        card = json.loads((Path(models_dir) / VERSIONS_DIR / version_id / CARD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return card if isinstance(card, dict) else {}


def active_model(models_dir: Path, build: str) -> dict[str, Any]:
    """The active version of `build` as the dashboard shows it: `{"id", "card"}` ("shipped", {} when
    the shipped weights run)."""
    vid = (read_state(models_dir).get(build) or {}).get("active") or SHIPPED
    if vid == SHIPPED or not (Path(models_dir) / VERSIONS_DIR / vid / WEIGHTS_FILE).is_file():
        return {"id": SHIPPED, "card": {}}
    return {"id": vid, "card": read_card(models_dir, vid)}
