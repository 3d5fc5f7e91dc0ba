"""Model versions made from HR's corrections: where they live, which one is active, rolling back.

Why apart: the loader (`sentiment.py`) must find the active weights of a build on every load, the
retrain (`retrain.py`) writes new versions, and `rykte model versions|rollback` lists and switches
them; the layout on disk has one home here. Nothing heavy is imported: no torch at import.

Layout under `<models_dir>/versions/`:
* `<id>/sentiment.safetensors`: the same format as the shipped weights (LoRA matrices, `head.*`,
  metadata), with `parent` and `version_id` added to the metadata;
* `<id>/card.json`: what the version derives from and how it scored (see `retrain.py`);
* `active.json`: `{build: {"active": id | "shipped", "history": [earlier active ids, oldest first]}}`,
  written atomically (temporary file + `os.replace`), so a reader never sees half a file.
The layout's names and readers live in `pipeline/store/queries/learning.py` (the dashboard reads
them too). A build without an entry (or whose active version's file is gone) runs its shipped weights.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.analysis.builtin_weights import BUILDS
from pipeline.errors import InputError
from pipeline.store.queries.learning import (
    ACTIVE_FILE,
    CARD_FILE,
    SHIPPED,
    VERSIONS_DIR,
    WEIGHTS_FILE,
    read_card,
    read_state,
)

__all__ = ["SHIPPED", "Version", "activate", "active_id", "active_weights", "list_versions", "new_version_id",
           "read_card", "read_state", "rollback", "weights_file", "write_card"]


@dataclass(frozen=True)
class Version:
    """One trained version as listed: its id, its card (parsed) and whether it is the active one."""

    id: str
    card: dict[str, Any]
    active: bool

    @property
    def accepted(self) -> bool:
        return bool(self.card.get("accepted"))


def versions_dir(models_dir: Path) -> Path:
    return Path(models_dir) / VERSIONS_DIR


def weights_file(models_dir: Path, version_id: str) -> Path:
    return versions_dir(models_dir) / version_id / WEIGHTS_FILE


def _write_state(models_dir: Path, state: dict[str, dict[str, Any]]) -> None:
    path = versions_dir(models_dir) / ACTIVE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{ACTIVE_FILE}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def active_id(models_dir: Path, build: str) -> str:
    """The active version id of `build`, or "shipped"."""
    entry = read_state(models_dir).get(build) or {}
    vid = entry.get("active") or SHIPPED
    if vid != SHIPPED and not weights_file(models_dir, vid).is_file():
        return SHIPPED
    return str(vid)


def active_weights(models_dir: Path, build: str) -> Path:
    """The weights file the loader runs for `build`: the active version's, else the shipped one."""
    vid = active_id(models_dir, build)
    return BUILDS[build] if vid == SHIPPED else weights_file(models_dir, vid)


def new_version_id(models_dir: Path, build: str, now: datetime | None = None) -> str:
    """A fresh id: `<build>-<UTC time>` (a suffix if that directory exists already)."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    base = f"{build}-{stamp}"
    vid, n = base, 1
    while (versions_dir(models_dir) / vid).exists():
        n += 1
        vid = f"{base}-{n}"
    return vid


def write_card(models_dir: Path, version_id: str, card: dict[str, Any]) -> Path:
    path = versions_dir(models_dir) / version_id / CARD_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{CARD_FILE}.tmp")
    tmp.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def list_versions(models_dir: Path, build: str) -> list[Version]:
    """The trained versions of `build`, oldest first (refused candidates too, marked by their card)."""
    root = versions_dir(models_dir)
    if not root.is_dir():
        return []
    current = active_id(models_dir, build)
    out = []
    for d in sorted(p for p in root.iterdir() if p.is_dir() and (p / WEIGHTS_FILE).is_file()):
        card = read_card(models_dir, d.name)
        if card.get("build", build) == build:
            out.append(Version(d.name, card, d.name == current))
    return sorted(out, key=lambda v: (str(v.card.get("created_at", "")), v.id))


def activate(models_dir: Path, build: str, version_id: str) -> None:
    """Make `version_id` (or "shipped") the active one of `build`; the previous one goes to history."""
    if build not in BUILDS:
        raise InputError(f"model {build!r}: versions exist only for the built-in builds ({', '.join(BUILDS)})")
    if version_id != SHIPPED:
        if not weights_file(models_dir, version_id).is_file():
            raise InputError(f"version {version_id}: no such model version in {versions_dir(models_dir)}")
        card = read_card(models_dir, version_id)
        if card.get("build", build) != build:
            raise InputError(f"version {version_id}: made from {card.get('build')}, not {build}")
        if not card.get("accepted"):
            raise InputError(f"version {version_id}: was refused ({card.get('reason', 'no reason recorded')}); "
                             "only accepted versions can be activated")
    state = read_state(models_dir)
    entry = state.get(build) or {}
    previous = active_id(models_dir, build)
    if previous == version_id:
        return
    history = [h for h in entry.get("history", []) if isinstance(h, str)]
    history.append(previous)
    state[build] = {"active": version_id, "history": history[-50:]}
    _write_state(models_dir, state)


def rollback(models_dir: Path, build: str, target: str | None = None) -> str:
    """Activate `target` ("shipped" or a version id), or without one the version active before the
    current one (whose weights still exist); returns the id now active."""
    if target is not None:
        activate(models_dir, build, target)
        return target
    entry = read_state(models_dir).get(build) or {}
    current = active_id(models_dir, build)
    if current == SHIPPED:
        raise InputError(f"model {build}: the shipped weights are active; there is nothing to roll back")
    history = [h for h in entry.get("history", []) if isinstance(h, str)]
    while history:
        candidate = history.pop()
        if candidate != current and (candidate == SHIPPED or weights_file(models_dir, candidate).is_file()):
            break
    else:
        candidate = SHIPPED
    state = read_state(models_dir)
    state[build] = {"active": candidate, "history": history}
    _write_state(models_dir, state)
    return candidate
