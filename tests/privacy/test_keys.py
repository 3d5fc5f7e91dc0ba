"""The privacy key and the keyed hashes: created private once, one person = one hash whatever the
spelling, another installation's key gives other hashes, a source-wide record covers every source."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pipeline.privacy.keys import KEY_FILE, author_hash, load_key, normalise, pseudonym
from pipeline.privacy.suppression import Suppressor, add_suppression, count_suppressions, remove_suppression
from pipeline.store.db import DataDir, connect_writer


def test_key_is_created_once_and_private(tmp_path: Path) -> None:
    root = tmp_path / "data"
    key = load_key(root)
    path = root / KEY_FILE
    assert len(key) == 32 and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_key(root) == key and load_key(tmp_path / "other") != key


def test_hashes_follow_the_person_not_the_spelling() -> None:
    key = b"k" * 32
    assert normalise("  @Ola_N ") == normalise("ola_n") == normalise("OLA_N")
    assert author_hash(key, "Reddit", "@Ola_N") == author_hash(key, "reddit", "ola_n")
    assert author_hash(key, "reddit", "ola_n") != author_hash(key, "trustpilot", "ola_n")
    assert author_hash(key, "reddit", "ola_n") != author_hash(b"x" * 32, "reddit", "ola_n")
    assert "ola" not in author_hash(key, "reddit", "ola_n")
    assert pseudonym(key, "reddit", "Ola_N").startswith("anon-") and pseudonym(key, "reddit", "ola_n") == pseudonym(
        key, "reddit", "@OLA_N")


def test_suppressions_on_one_source_or_all(tmp_path: Path) -> None:
    data = DataDir(tmp_path / "data")
    con = connect_writer(data)
    try:
        key = load_key(data.root)
        assert add_suppression(con, key, "Ola_N", "reddit") and not add_suppression(con, key, "ola_n", "reddit")
        add_suppression(con, key, "Kari", None)
        assert count_suppressions(con) == 2
        assert con.execute("SELECT count(*) FROM suppressions WHERE hash ILIKE '%ola%' OR hash ILIKE '%kari%'"
                           ).fetchall() == [(0,)]
        s = Suppressor.for_store(con)
        rows = [{"source": "reddit", "author": "@ola_n"}, {"source": "trustpilot", "author": "Ola_N"},
                {"source": "hackernews", "author": "KARI"}, {"source": "reddit", "author": "per"}]
        kept, dropped = s.split(rows)
        assert dropped == 2 and kept == [rows[1], rows[3]]
        assert remove_suppression(con, key, "OLA_N", "reddit") and not remove_suppression(con, key, "ola_n", "reddit")
        assert count_suppressions(con) == 1
    finally:
        con.close()
