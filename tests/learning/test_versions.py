"""The model versions registry: activate, list, roll back, the shipped fallback and the atomic file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline.analysis import versions
from pipeline.analysis.builtin_weights import BUILDS
from pipeline.errors import InputError


def _version(models: Path, vid: str, *, accepted: bool = True, created: str = "2026-12-01T10:00:00+00:00") -> str:
    d = models / "versions" / vid
    d.mkdir(parents=True)
    shutil.copyfile(BUILDS["builtin"], d / "sentiment.safetensors")
    versions.write_card(models, vid, {"id": vid, "build": "builtin", "parent": "shipped", "created_at": created,
                                      "accepted": accepted, "reason": "no set worse" if accepted else "worse on x"})
    return vid


def test_shipped_weights_until_a_version_is_activated(tmp_path: Path) -> None:
    models = tmp_path / "models"
    assert versions.active_id(models, "builtin") == "shipped"
    assert versions.active_weights(models, "builtin") == BUILDS["builtin"]
    vid = _version(models, "builtin-a")
    assert versions.active_weights(models, "builtin") == BUILDS["builtin"]  # stored is not active
    versions.activate(models, "builtin", vid)
    assert versions.active_weights(models, "builtin") == models / "versions" / vid / "sentiment.safetensors"
    assert versions.active_weights(models, "builtin-noncommercial") == BUILDS["builtin-noncommercial"]


def test_a_missing_version_file_falls_back_to_the_shipped_weights(tmp_path: Path) -> None:
    models = tmp_path / "models"
    versions.activate(models, "builtin", _version(models, "builtin-a"))
    (models / "versions" / "builtin-a" / "sentiment.safetensors").unlink()
    assert versions.active_weights(models, "builtin") == BUILDS["builtin"]


def test_list_marks_the_active_one_and_keeps_refused_candidates(tmp_path: Path) -> None:
    models = tmp_path / "models"
    _version(models, "builtin-a", created="2026-12-01T10:00:00+00:00")
    _version(models, "builtin-b", accepted=False, created="2026-12-02T10:00:00+00:00")
    versions.activate(models, "builtin", "builtin-a")
    listed = versions.list_versions(models, "builtin")
    assert [(v.id, v.active, v.accepted) for v in listed] == [("builtin-a", True, True), ("builtin-b", False, False)]
    with pytest.raises(InputError, match="refused"):
        versions.activate(models, "builtin", "builtin-b")
    with pytest.raises(InputError, match="no such model version"):
        versions.activate(models, "builtin", "builtin-zzz")


def test_rollback_to_previous_named_and_shipped(tmp_path: Path) -> None:
    models = tmp_path / "models"
    for vid in ("builtin-a", "builtin-b", "builtin-c"):
        _version(models, vid)
        versions.activate(models, "builtin", vid)
    assert versions.rollback(models, "builtin") == "builtin-b"
    assert versions.active_id(models, "builtin") == "builtin-b"
    assert versions.rollback(models, "builtin", "builtin-c") == "builtin-c"
    assert versions.rollback(models, "builtin") == "builtin-b"
    assert versions.rollback(models, "builtin", "shipped") == "shipped"
    assert versions.active_weights(models, "builtin") == BUILDS["builtin"]
    with pytest.raises(InputError, match="nothing to roll back"):
        versions.rollback(models, "builtin")


def test_active_file_is_replaced_whole_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    models = tmp_path / "models"
    versions.activate(models, "builtin", _version(models, "builtin-a"))
    state_file = models / "versions" / "active.json"
    inode = state_file.stat().st_ino
    versions.rollback(models, "builtin", "shipped")
    assert state_file.stat().st_ino != inode  # a new file renamed over the old one, not rewritten in place
    assert json.loads(state_file.read_text())["builtin"] == {"active": "shipped", "history": ["shipped", "builtin-a"]}
    assert [p.name for p in (models / "versions").iterdir() if p.is_file()] == ["active.json"]
