"""bench/results.json is shared by every benchmark: one writing its key keeps the others', and an
unreadable file does not fail a benchmark that has just run."""

from __future__ import annotations

import json
from pathlib import Path

from bench.results import merge_results, read_results


def test_merging_a_key_keeps_the_other_benchmarks(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    merge_results("freshness", {"met": True}, path)
    merge_results("sentiment", {"texts_per_s": 108.0}, path)
    merge_results("freshness", {"met": False}, path)
    assert json.loads(path.read_text(encoding="utf-8")) == {"freshness": {"met": False},
                                                            "sentiment": {"texts_per_s": 108.0}}
    assert not path.with_suffix(".tmp").exists()


def test_an_unreadable_file_starts_afresh(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text('{"half a wri', encoding="utf-8")
    assert read_results(path) == {}
    merge_results("dashboard", {"mentions": 3}, path)
    assert read_results(path) == {"dashboard": {"mentions": 3}}
